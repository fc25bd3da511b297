using System.Buffers.Binary;
using PppoeProxy.Engine.Protocol;
using Xunit;

namespace PppoeProxy.Tests.Protocol;

/// <summary>
/// A seeded corpus of damaged control packets through tshark and through our decoder: for every frame
/// both must agree on "malformed" (our Error) and on "warning" (our Warning). The few rules where we
/// deliberately differ from tshark 4.0 are named below; each is recognised from the raw bytes, not from
/// our decoder's answer, and counted.
/// </summary>
public class TsharkDecodeAgreementTests
{
    private const int Count = 3200;

    /// <summary>tshark's names for the layers our decoder covers.</summary>
    private static readonly HashSet<string> InScope = new(StringComparer.Ordinal)
    {
        "PPPoES", "PPP", "PPP LCP", "PPP PAP", "PPP CHAP", "PPP IPCP", "PPP IPV6CP",
    };

    [TsharkFact]
    public void TsharkAndWeAgreeOnMalformedAndWarningForEveryFrame()
    {
        // A fixed seed keeps failures reproducible; PPPOE_CORPUS_SEED tries another corpus.
        int seed = int.TryParse(Environment.GetEnvironmentVariable("PPPOE_CORPUS_SEED"), out var chosen) ? chosen : 4242;
        var gen = new ControlPacketGen(seed);
        var frames = Enumerable.Range(0, Count).Select(_ => gen.Frame()).ToList();
        var dir = ExternalTools.TempDir();
        try
        {
            var pcap = Path.Combine(dir, "control.pcap");
            TestPcap.Write(pcap, frames);
            var rows = ExternalTools.TsharkFields(pcap, "frame.number", "_ws.malformed", "_ws.expert.message", "_ws.expert.severity");
            Assert.Equal(frames.Count, rows.Count);
            var differences = new List<string>();
            var excused = new Dictionary<string, int>();
            int malformed = 0, warned = 0;
            for (int i = 0; i < frames.Count; i++)
            {
                var bytes = frames[i];
                var ours = PppoeFrame.Parse(bytes);
                bool tsharkMalformed = TsharkMalformed(rows[i]["_ws.malformed"]);
                bool tsharkWarned = TsharkWarned(rows[i]["_ws.expert.message"], FrameView.Parse(bytes).PppProtocol);
                if (tsharkMalformed) malformed++;
                if (tsharkWarned) warned++;
                if ((ours.Error is not null) == tsharkMalformed && (ours.Warning is not null) == tsharkWarned) continue;
                var reason = KnownDifference(bytes, tsharkMalformed, tsharkWarned);
                if (reason is not null) { excused[reason] = excused.GetValueOrDefault(reason) + 1; continue; }
                differences.Add($"frame {i + 1}: tshark malformed={tsharkMalformed} warning={tsharkWarned} [{rows[i]["_ws.expert.message"]}], "
                    + $"ours error='{ours.Error}' warning='{ours.Warning}': {Convert.ToHexString(bytes)}");
            }
            // The corpus must exercise both flags, or agreement proves nothing.
            Assert.True(malformed > Count / 20 && warned > Count / 20, $"corpus too gentle: {malformed} malformed, {warned} warned");
            Assert.True(differences.Count == 0, $"seed {seed}: {differences.Count} of {Count} frames disagree (tshark malformed {malformed}, warned {warned}; excused "
                + string.Join(", ", excused.Select(e => $"{e.Key}: {e.Value}")) + "):\n" + string.Join("\n", differences.Take(25)));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static bool TsharkMalformed(string field)
    {
        const string prefix = "[Malformed Packet: ";
        foreach (var part in field.Split('|'))
            if (part.StartsWith(prefix, StringComparison.Ordinal) && InScope.Contains(part[prefix.Length..^1])) return true;
        return false;
    }

    /// <summary>tshark's warnings from the PPPoE and PPP control dissectors (IP payload warnings are not ours to judge).</summary>
    private static bool TsharkWarned(string messages, ushort pppProtocol) => messages.Split('|').Any(m =>
        m.StartsWith("Possible bad payload length", StringComparison.Ordinal)
        || (pppProtocol is PppProtocols.Lcp or PppProtocols.Ipcp or PppProtocols.Ipv6cp
            && (m.Contains("option length", StringComparison.Ordinal) || m.EndsWith("(length byte past end of options)", StringComparison.Ordinal))));

    /// <summary>
    /// Where we differ from tshark 4.0 on purpose. Each rule reads the raw bytes.
    /// </summary>
    private static string? KnownDifference(byte[] bytes, bool tsharkMalformed, bool tsharkWarned)
    {
        var view = FrameView.Parse(bytes);
        int pppoe = view.PppoeOffset;
        int lengthField = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(pppoe + 4));
        // FrameView's forwarding rules, not the decoder's: a PPPoE length past the frame is an error to us;
        // tshark reads the shorter payload and warns only when the frame is longer than the padded minimum.
        if (!tsharkMalformed && pppoe + 6 + lengthField > bytes.Length) return "PPPoE length past the frame (header rule)";
        // Both call it malformed; after a header error we do not decode the body, so its option warnings are not ours.
        if (!view.IsValid && tsharkMalformed) return "header error: body warnings not decoded";
        // RFC 1661 section 5: a control packet with an invalid Length is discarded, so FrameView calls it an
        // error. tshark only annotates a Length below 4, and a Length past the payload is malformed to it only
        // when a field it reads falls outside (its PAP ignores the Length field altogether).
        int available = Math.Min(lengthField, bytes.Length - pppoe - 6) - view.PppProtocolFieldSize;
        if (!tsharkMalformed && view.PppProtocolFieldSize > 0 && PppProtocols.IsControl(view.PppProtocol) && available >= 4)
        {
            int controlLength = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(pppoe + 6 + view.PppProtocolFieldSize + 2));
            if (controlLength < 4 || controlLength > available) return "control Length below 4 or past the payload (header rule)";
        }
        // tshark 4.0 reads two octets before it looks for protocol-field compression, so a payload of one odd
        // octet (a whole compressed protocol, RFC 1661 section 2) throws there.
        if (tsharkMalformed && lengthField == 1 && pppoe + 7 <= bytes.Length && (bytes[pppoe + 6] & 1) == 1) return "lone compressed protocol (tshark 4.0)";
        if (!view.IsValid || !view.HasPppControlHeader) return null;
        var packet = view.PppPacket;
        int length = view.PppLength;
        // RFC 1661: octets after the control Length are padding. tshark reads fields up to the end of the
        // PPPoE payload instead, so a field that overruns the Length but fits the payload is malformed to
        // us only. Proof: our decoder bounded like tshark agrees with tshark.
        if (packet.Length > length)
        {
            PppControlDecoder.Decode(view.PppProtocol, packet, out var tsharkBound, bound: packet.Length);
            if ((tsharkBound.Error is not null) == tsharkMalformed && (tsharkBound.Warning is not null || PayloadLengthCheck.Warning(view) is not null) == tsharkWarned)
                return "field past the control Length but inside the PPPoE payload";
        }
        // tshark shows a CHAP Value-Size that overruns (or is missing) as "invalid" text, without expert info.
        if (view.PppProtocol == PppProtocols.Chap && view.PppCode is 1 or 2 && !tsharkMalformed
            && (length == 4 || packet[4] > length - 5))
            return "CHAP Value-Size overrun (tshark: tree text only)";
        // tshark applies LCP's Vendor-Specific, Protocol-Reject and Echo layouts to IPCP and IPv6CP codes 0 and 8-13,
        // which RFC 1332/5072 do not define (a peer answers them with Code-Reject).
        if (view.PppProtocol is PppProtocols.Ipcp or PppProtocols.Ipv6cp && view.PppCode is 0 or >= 8 and <= 13 && tsharkMalformed)
            return "NCP code with LCP-only layout";
        // tshark 4.0's LCP Quality-Protocol dissector adds length+4 instead of length-4 for data after the
        // protocol, so any Quality-Protocol option longer than 4 (LQR's reporting period: 8) is malformed to it.
        if (view.PppProtocol == PppProtocols.Lcp && view.PppCode is >= 1 and <= 4 && tsharkMalformed && HasLongQualityOption(packet[4..length]))
            return "LCP Quality-Protocol option longer than 4 (tshark bug)";
        return null;
    }

    private static bool HasLongQualityOption(ReadOnlySpan<byte> options)
    {
        for (int at = 0; at + 1 < options.Length && options[at + 1] >= 2; at += options[at + 1])
            if (options[at] == LcpOptions.QualityProtocol && options[at + 1] > 4 && at + options[at + 1] <= options.Length) return true;
        return false;
    }
}
