using System.Buffers.Binary;
using PppoeProxy.Engine.Protocol;
using Xunit;

namespace PppoeProxy.Tests.Protocol;

/// <summary>
/// Thousands of damaged PPPoE frames through tshark and through us. Whatever tshark calls malformed
/// in the PPPoE or PPP control layers, we must flag too; and we must never throw.
/// </summary>
public class TsharkRobustnessTests
{
    private const int Count = 6000;

    /// <summary>tshark's names for the layers the spec covers.</summary>
    private static readonly HashSet<string> InScope = new(StringComparer.Ordinal)
    {
        "PPPoED", "PPPoES", "PPP", "PPP LCP", "PPP PAP", "PPP CHAP", "PPP IPCP", "PPP IPV6CP",
    };

    [TsharkFact]
    public void WeFlagEveryFrameTsharkFindsMalformedInScope()
    {
        var gen = new FrameGen(31337);
        var frames = new List<byte[]>(Count);
        while (frames.Count < Count)
        {
            var bytes = gen.Mutate(gen.Frame().ToBytes());
            // A frame cut inside the Ethernet/VLAN header is not PPPoE to tshark either; keep the PPPoE ones.
            if (FrameView.Parse(bytes).Error is not (FrameError.TruncatedEthernet or FrameError.TruncatedVlan or FrameError.NotPppoe))
                frames.Add(bytes);
        }
        var dir = ExternalTools.TempDir();
        try
        {
            var pcap = Path.Combine(dir, "mutated.pcap");
            TestPcap.Write(pcap, frames);
            var rows = ExternalTools.TsharkFields(pcap, "frame.number", "_ws.malformed", "_ws.expert.message",
                "ppp.code", "ppp.identifier", "ppp.length", "pap.code", "pap.identifier", "pap.length", "chap.code", "chap.identifier", "chap.length",
                "pppoe.code", "pppoe.session_id", "ppp.protocol");
            Assert.Equal(frames.Count, rows.Count);
            var missed = new List<string>();
            int tsharkMalformed = 0, excluded = 0;
            for (int i = 0; i < frames.Count; i++)
            {
                var bytes = frames[i];
                FrameError error;
                try
                {
                    error = FrameView.Parse(bytes).Error;
                    _ = PppoeFrame.Parse(bytes).Summary;
                }
                catch (Exception e) { throw new Xunit.Sdk.XunitException($"frame {i + 1} threw: {Convert.ToHexString(bytes)}: {e}"); }
                // Header fields tshark decoded must match ours even on damaged frames.
                var v = FrameView.Parse(bytes);
                if (rows[i]["pppoe.session_id"].Length > 0 && (Hex(rows[i]["pppoe.code"]) != v.Code || Hex(rows[i]["pppoe.session_id"]) != v.SessionId))
                    missed.Add($"frame {i + 1} header decoded differently: {Convert.ToHexString(bytes)}");
                if (rows[i]["ppp.protocol"].Length > 0 && v.PppProtocolFieldSize > 0 && Hex(rows[i]["ppp.protocol"].Split('|')[0]) != v.PppProtocol)
                    missed.Add($"frame {i + 1} PPP protocol {rows[i]["ppp.protocol"]} vs ours 0x{v.PppProtocol:x4}: {Convert.ToHexString(bytes)}");
                var layer = MalformedLayer(rows[i]["_ws.malformed"]);
                if (layer is null) continue;
                tsharkMalformed++;
                if (!InScope.Contains(layer) || BodyOnly(bytes, layer, rows[i]) || LoneCompressedProtocol(bytes, layer)) { excluded++; continue; }
                if (error == FrameError.None)
                    missed.Add($"frame {i + 1} [{layer}] {rows[i]["_ws.expert.message"]}: {Convert.ToHexString(bytes)}");
            }
            int compared = tsharkMalformed - excluded;
            Assert.True(compared > Count / 10, $"only {compared} in-scope malformed frames compared ({excluded} excluded): the mutations are too gentle");
            Assert.True(missed.Count == 0, $"{missed.Count} of {tsharkMalformed} tshark-malformed frames ({excluded} excluded) not flagged by us:\n"
                + string.Join("\n", missed.Take(15)));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static int Hex(string text) => Convert.ToInt32(text, 16);

    /// <summary>"[Malformed Packet: PPP LCP]|_ws.malformed" → "PPP LCP"; null when tshark had no complaint.</summary>
    private static string? MalformedLayer(string field)
    {
        const string prefix = "[Malformed Packet: ";
        int at = field.IndexOf(prefix, StringComparison.Ordinal);
        if (at < 0) return field.Length == 0 ? null : "?";
        int end = field.IndexOf(']', at);
        return field[(at + prefix.Length)..end];
    }

    /// <summary>
    /// tshark 4.0's PPPoES dissector reads two octets before it looks for protocol-field compression, so a
    /// session payload of exactly one odd octet (a complete RFC 1661 compressed protocol, empty information
    /// field) throws there. The spec calls that a whole protocol field; only this exact shape is excluded.
    /// </summary>
    private static bool LoneCompressedProtocol(byte[] bytes, string layer)
    {
        var view = FrameView.Parse(bytes);
        return layer == "PPPoES" && view.Version == 1 && view.Type == 1 && view.LengthField == 1
            && view.PayloadAvailable == 1 && (view.Payload[0] & 1) == 1;
    }

    /// <summary>
    /// The spec validates a control packet's code, identifier and length, not what is inside it.
    /// tshark also parses LCP/IPCP options, PAP/CHAP fields and echo magic numbers, and calls a bad
    /// one malformed. Excluded here only when an independent check says the header itself is sound.
    /// </summary>
    private static bool BodyOnly(byte[] bytes, string layer, Dictionary<string, string> tshark)
    {
        if (!layer.StartsWith("PPP ", StringComparison.Ordinal)) return false;
        var view = FrameView.Parse(bytes);
        if (!view.HasPppControlHeader) return false;
        // tshark must have decoded the same header we did...
        string prefix = view.PppProtocol switch { PppProtocols.Pap => "pap", PppProtocols.Chap => "chap", _ => "ppp" };
        if (tshark[prefix + ".code"] != view.PppCode.ToString() || tshark[prefix + ".identifier"] != view.PppIdentifier.ToString()
            || tshark[prefix + ".length"] != view.PppLength.ToString()) return false;
        // ...and, checked here from the raw bytes, the PPPoE header and the control length must hold up.
        int pppoe = view.PppoeOffset;
        int lengthField = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(pppoe + 4));
        int packetBytes = lengthField - view.PppProtocolFieldSize;
        return bytes[pppoe] == 0x11 && pppoe + 6 + lengthField <= bytes.Length
            && view.PppLength >= 4 && view.PppLength <= packetBytes;
    }
}
