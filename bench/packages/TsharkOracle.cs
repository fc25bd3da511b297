using System.Diagnostics;
using System.Globalization;

namespace PackageBench;

/// <summary>Decodes the corpus with tshark: the independent reference both codecs are compared with.</summary>
public static class TsharkOracle
{
    // tshark field -> our normalized key. Several tshark fields may feed one key (PAP/CHAP have their own).
    private static readonly (string Field, string Key)[] Fields =
    {
        ("ieee8021ad.id", "vlan"), ("vlan.id", "vlan"), ("pppoe.version", "ver"), ("pppoe.type", "type"), ("pppoe.code", "code"),
        ("pppoe.session_id", "sid"), ("pppoe.payload_length", "plen"),
        ("pppoed.tags.service_name", "service_name"), ("pppoed.tags.ac_name", "ac_name"),
        ("pppoed.tags.host_uniq", "host_uniq"), ("pppoed.tags.ac_cookie", "ac_cookie"),
        ("pppoed.tags.vendor_id", "vendor_id"), ("pppoed.tags.circuit_id", "circuit_id"),
        ("pppoed.tags.remote_id", "remote_id"), ("pppoed.tags.generic_error", "generic_error"),
        ("ppp.protocol", "ppp_proto"),
        ("ppp.code", "ppp_code"), ("pap.code", "ppp_code"), ("chap.code", "ppp_code"),
        ("ppp.identifier", "ppp_id"), ("pap.identifier", "ppp_id"), ("chap.identifier", "ppp_id"),
        ("ppp.length", "ppp_len"), ("pap.length", "ppp_len"), ("chap.length", "ppp_len"),
        ("_ws.malformed", "malformed"), ("_ws.expert.severity", "severity"),
    };

    public static bool Available => File.Exists("/usr/bin/tshark");

    public static List<FieldSet> Decode(IReadOnlyList<Corpus.Sample> samples, string workDir)
    {
        var path = Path.Combine(workDir, "corpus.pcap");
        WritePcap(path, samples.Select(s => s.Bytes));
        var start = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-r", path, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=," })
            start.ArgumentList.Add(arg);
        foreach (var (field, _) in Fields) { start.ArgumentList.Add("-e"); start.ArgumentList.Add(field); }
        using var tshark = Process.Start(start)!;
        var lines = tshark.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        tshark.WaitForExit();
        if (lines.Length != samples.Count) throw new InvalidOperationException($"tshark decoded {lines.Length} of {samples.Count} frames");
        return lines.Select(ToFieldSet).ToList();
    }

    private static FieldSet ToFieldSet(string line)
    {
        var columns = line.Split('\t');
        var set = new FieldSet();
        bool malformed = false;
        for (int i = 0; i < Fields.Length; i++)
        {
            var value = i < columns.Length ? columns[i].Trim() : "";
            if (value.Length == 0) continue;
            var key = Fields[i].Key;
            // Expert severities: 0x00600000 warning, 0x00800000 error (epan/proto.h).
            if (key == "malformed") { malformed = true; continue; }
            if (key == "severity") { malformed |= value.Split(',').Any(v => long.Parse(v, CultureInfo.InvariantCulture) >= 0x00600000); continue; }
            set.Append(key, Normalize(key, value));
        }
        set["malformed"] = malformed ? "yes" : "no";
        // The PPP packet is the PPPoE payload after the 2-byte protocol field; Ethernet padding is not part of it.
        if (set.TryGetValue("plen", out var plen) && set.ContainsKey("ppp_proto") && !malformed)
            set["ppp_bytes"] = (int.Parse(plen, CultureInfo.InvariantCulture) - 2).ToString(CultureInfo.InvariantCulture);
        return set;
    }

    private static string Normalize(string key, string value) => key switch
    {
        "host_uniq" or "ac_cookie" => value.Replace(":", "").ToLowerInvariant(),
        "service_name" or "ac_name" or "circuit_id" or "remote_id" or "generic_error" => value,
        _ => string.Join(",", value.Split(',').Select(FieldSet.Number)),
    };

    /// <summary>Classic pcap, written here by hand so no codec under test is involved.</summary>
    public static void WritePcap(string path, IEnumerable<byte[]> frames)
    {
        using var output = new BinaryWriter(File.Create(path));
        output.Write(0xa1b2c3d4u); output.Write((ushort)2); output.Write((ushort)4);
        output.Write(0); output.Write(0u); output.Write(65535u); output.Write(1u);
        uint second = 1_700_000_000;
        foreach (var frame in frames)
        {
            output.Write(second++); output.Write(0u); output.Write((uint)frame.Length); output.Write((uint)frame.Length);
            output.Write(frame);
        }
    }
}
