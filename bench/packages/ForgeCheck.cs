using System.Net.NetworkInformation;
using System.Text;
using PacketDotNet;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PackageBench;

/// <summary>Forging a PADT: ours (PadtForge) vs PacketDotNet's constructors; bytes checked by tshark, then cost per forge.</summary>
public static class ForgeCheck
{
    private const ushort SessionId = 0x1234;
    private const string Message = "ghost session";
    private static readonly byte[] Client = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
    private static readonly byte[] Server = { 0x00, 0x1b, 0x21, 0xaa, 0x00, 0x01 };
    private static readonly byte[] GenericErrorTag = Corpus.Tag(0x0203, Message);

    public static void Run(string workDir, int rounds)
    {
        var ours = Ours();
        var theirs = Theirs();
        var oracle = TsharkOracle.Decode(new[] { new Corpus.Sample("ours", ours, false), new Corpus.Sample("theirs", theirs, false) }, workDir);
        Console.WriteLine("## Forging a PADT (session 0x1234, Generic-Error tag, server MAC -> client MAC)\n");
        Console.WriteLine("| forge | bytes | tshark reads it as |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| ours: PadtForge.Padt().ToBytes() | `{Hex(ours)}` | {Describe(oracle[0])} |");
        Console.WriteLine($"| PacketDotNet: EthernetPacket + PppoePacket(ActiveDiscoveryTerminate) | `{Hex(theirs)}` | {Describe(oracle[1])} |");
        Console.WriteLine($"\nidentical bytes: {(ours.AsSpan().SequenceEqual(theirs) ? "yes" : "no")}; "
            + $"first difference at byte {FirstDifference(ours, theirs)}\n");

        var buffer = new byte[128];
        var results = Measure.Alternate(rounds,
            () => Measure.Time(() => Ours().Length, 1),
            () => Measure.Time(() => Theirs().Length, 1),
            () => Measure.Time(() => OursIntoBuffer(buffer), 1));
        Console.WriteLine($"| forge cost ({rounds} alternating rounds, median) | ns/PADT | bytes allocated/PADT | time vs PadtForge |");
        Console.WriteLine("|---|---|---|---|");
        var names = new[] { "ours: PadtForge.Padt().ToBytes() (product API)", "PacketDotNet: new EthernetPacket/PppoePacket, .Bytes", "ours: FrameWriter into a reused buffer" };
        for (int k = 0; k < names.Length; k++)
        {
            var ns = results[k].Select(c => c.NsPerOp).ToList();
            Console.WriteLine($"| {names[k]} | {Measure.F(Measure.Median(ns), 1)} | {Measure.F(Measure.Median(results[k].Select(c => c.BytesPerOp)), 0)} | "
                + (k == 0 ? "1" : Measure.Ratio(ns, results[0].Select(c => c.NsPerOp).ToList())) + " |");
        }
        Console.WriteLine();
    }

    private static byte[] Ours() =>
        PadtForge.Padt(MacAddress.Read(Server), MacAddress.Read(Client), SessionId, null, Message).ToBytes();

    private static int OursIntoBuffer(byte[] buffer)
    {
        var span = buffer.AsSpan();
        int offset = FrameWriter.WriteEthernetHeader(span, MacAddress.Read(Client), MacAddress.Read(Server), default, EtherTypes.PppoeDiscovery);
        var payload = Encoding.UTF8.GetByteCount(Message) + 4;
        FrameWriter.WritePppoeHeader(span[offset..], (byte)PppoeProxy.Engine.Protocol.PppoeCode.PADT, SessionId, (ushort)payload);
        offset += FrameView.PppoeHeaderLength;
        return offset + FrameWriter.WriteTag(span[offset..], 0x0203, GenericErrorTag.AsSpan(4));
    }

    // The documented way to build a packet: constructors, payload, Bytes. No VLAN variant exists
    // (Ieee8021QPacket has no constructor from fields), so only the untagged PADT can be compared.
    private static byte[] Theirs()
    {
        var ethernet = new EthernetPacket(new PhysicalAddress(Server), new PhysicalAddress(Client), EthernetType.PppoeDiscoveryStage);
        var pppoe = new PppoePacket(PacketDotNet.PppoeCode.ActiveDiscoveryTerminate, SessionId)
        {
            PayloadData = GenericErrorTag,
            Length = (ushort)GenericErrorTag.Length,
        };
        ethernet.PayloadPacket = pppoe;
        return ethernet.Bytes;
    }

    private static string Describe(FieldSet fields) =>
        $"code {Get(fields, "code")}, ver {Get(fields, "ver")}, type {Get(fields, "type")}, sid {Get(fields, "sid")}, "
        + $"Generic-Error \"{Get(fields, "generic_error")}\", malformed {Get(fields, "malformed")}";

    private static string Get(FieldSet fields, string key) => fields.TryGetValue(key, out var value) ? value : "—";

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private static string FirstDifference(byte[] a, byte[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++) if (a[i] != b[i]) return $"{i} (0x{a[i]:x2} vs 0x{b[i]:x2})";
        return a.Length == b.Length ? "none" : $"{n} (lengths {a.Length} vs {b.Length})";
    }
}
