using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Protocol;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// MSS clamping judged by others: scapy makes the frames (SYNs, SYN-ACKs, non-SYNs, UDP, fragments, extension
/// headers, VLANs), the clamp runs over them as an end would (the tracker sees each frame first), and tshark,
/// checking TCP checksums, reads what we would send. Frames we must not change are compared byte for byte.
/// </summary>
public class MssClampTsharkTests
{
    // c is the PPPoE client, a the AC. LCP first: the client asks MRU 1492, the AC 1454, each acks the other,
    // so auto clamps session 0x42 (untagged) to 1454: IPv4 1414, IPv6 1394. Tagged frames are other sessions,
    // with no LCP seen: the PPPoE default 1492 (1452, 1432).
    private const string Script = """
        import sys
        from scapy.all import *
        c, a = "02:00:00:00:00:01", "02:00:00:00:00:0a"
        def s(src=c, dst=a, vlans=()):
            p = Ether(src=src, dst=dst)
            for kind, vid in vlans:
                p = p / (Dot1AD(vlan=vid) if kind == "ad" else Dot1Q(vlan=vid))
            return p/PPPoE(sessionid=0x0042)
        ppp = lambda proto: Raw(struct.pack(">H", proto))  # scapy's PPP() compresses 0x21 and 0x57 to one byte (PFC)
        lcp = lambda src, dst, code, mru: s(src, dst)/PPP(proto=0xc021)/PPP_LCP_Configure(code=code, id=1, options=[PPP_LCP_MRU_Option(max_recv_unit=mru)])
        v4 = lambda **kw: IP(src="192.0.2.1", dst="198.51.100.1", **kw)
        v6 = lambda: IPv6(src="2001:db8::1", dst="2001:db8:1::1")
        full4 = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]
        full6 = [("MSS", 1440), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]
        syn = lambda opts, flags="S": TCP(sport=40000, dport=443, flags=flags, seq=1000, options=opts)
        ps = [lcp(c, a, 1, 1492), lcp(a, c, 1, 1454), lcp(a, c, 2, 1492), lcp(c, a, 2, 1454)]
        ps.append(s()/ppp(0x21)/v4()/syn(full4))                                                   # 4
        ps.append(s()/ppp(0x21)/v4()/syn([("NOP", None), ("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b"")]))  # 5 odd offset
        ps.append(s(a, c)/ppp(0x21)/IP(src="198.51.100.1", dst="192.0.2.1")/TCP(sport=443, dport=40000, flags="SA", ack=1001, options=[("MSS", 1460), ("SAckOK", b"")]))  # 6 SYN-ACK
        ps.append(s()/ppp(0x21)/v4()/syn([("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]))  # 7 no MSS
        ps.append(s()/ppp(0x21)/v4()/syn([("MSS", 1380)]))                                         # 8 small already
        ps.append(s()/ppp(0x21)/v4()/syn([("MSS", 1460)], flags="A")/Raw(b"data"))                # 9 not a SYN
        ps.append(s()/ppp(0x21)/v4()/UDP(sport=40000, dport=443)/Raw(bytes(syn([("MSS", 1460)])))) # 10 UDP
        ps.append(s()/ppp(0x21)/v4(flags="MF")/syn([("MSS", 1460)]))                                # 11 first fragment
        ps.append(s()/ppp(0x21)/v4(frag=100, proto=6)/Raw(bytes(syn([("MSS", 1460)]))))            # 12 later fragment
        ps.append(s()/ppp(0x21)/v4(len=300)/syn([("MSS", 1460)]))                                  # 13 IP length past the packet
        ps.append(s()/ppp(0x21)/v4(options=IPOption(b"\x01\x01\x01\x00"))/syn(full4))              # 14 IP options
        ps.append(s()/Raw(b"\x21" + bytes(v4()/syn(full4))))                                             # 15 PPP protocol field compressed (PFC)
        bad = bytearray(bytes(v4()/syn([("SAckOK", b""), ("MSS", 1460), ("NOP", None), ("NOP", None)]))[20:]); bad[21] = 0
        ps.append(s()/ppp(0x21)/v4(proto=6)/Raw(bytes(bad)))                                       # 16 option length 0 before the MSS
        ps.append(s()/ppp(0x57)/v6()/syn(full6))                                                   # 17
        ps.append(s(a, c)/ppp(0x57)/IPv6(src="2001:db8:1::1", dst="2001:db8::1")/TCP(sport=443, dport=40000, flags="SA", options=[("MSS", 1440)]))  # 18 SYN-ACK
        ps.append(s()/ppp(0x57)/v6()/IPv6ExtHdrHopByHop()/syn(full6))                              # 19 hop-by-hop
        ps.append(s()/ppp(0x57)/v6()/IPv6ExtHdrFragment(m=1, id=7)/syn(full6))                     # 20 fragment header
        ps.append(s()/ppp(0x57)/v6()/UDP(sport=40000, dport=443)/Raw(bytes(syn(full6))))           # 21 UDP
        ps.append(s(vlans=[("q", 100)])/ppp(0x21)/v4()/syn(full4))                                  # 22 802.1Q
        ps.append(s(vlans=[("ad", 100), ("q", 200)])/ppp(0x57)/v6()/syn(full6))                    # 23 QinQ
        ps.append(s()/ppp(0x57)/v6()/syn([("SAckOK", b""), ("WScale", 7)]))                        # 24 IPv6, no MSS
        ps.append(s()/PPP(proto=0x57)/v6()/syn(full6))                                                   # 25 IPv6, PFC (scapy's PPP)
        wrpcap(sys.argv[1], ps)
        """;

    private const string Any = "*"; // tshark's view of this frame is not asserted (fragments, broken lengths); bytes still are

    // Per frame: the MSS tshark must show after auto, after a fixed 1400 (IPv6: 1380); "" for none.
    private static readonly (string Auto, string Fixed)[] Expected =
    {
        ("", ""), ("", ""), ("", ""), ("", ""),
        ("1414", "1400"), ("1414", "1400"), ("1414", "1400"), ("", ""), ("1380", "1380"), ("1460", "1460"), ("", ""),
        (Any, Any), (Any, Any), (Any, Any), ("1414", "1400"), ("1414", "1400"), (Any, Any),
        ("1394", "1380"), ("1394", "1380"), ("1394", "1380"), (Any, Any), ("", ""), ("1452", "1400"), ("1432", "1380"), ("", ""), ("1394", "1380"),
    };

    private static readonly int[] Changed = { 4, 5, 6, 14, 15, 17, 18, 19, 22, 23, 25 };

    [TsharkFact(needsScapy: true)]
    public void AutoClampsSynsAndSynAcksToTheLcpMtuAndTouchesNothingElse() =>
        Run(MssClampSetting.Auto, e => e.Auto, new MssClampStatus("auto", Clamped: 11, AlreadySmall: 1, NoMssOption: 2, Unchecked: 5));

    [TsharkFact(needsScapy: true)]
    public void FixedMssClampsIpv4ToNAndIpv6ToNMinus20() =>
        Run(MssClampSetting.Fixed(1400), e => e.Fixed, new MssClampStatus("1400", Clamped: 11, AlreadySmall: 1, NoMssOption: 2, Unchecked: 5));

    [TsharkFact(needsScapy: true)]
    public void OffChangesNoFrame()
    {
        var (input, output, _) = Clamp(MssClampSetting.Off);
        for (int i = 0; i < input.Count; i++) Assert.Equal(input[i], output[i]);
    }

    private static void Run(MssClampSetting setting, Func<(string Auto, string Fixed), string> expected, MssClampStatus counts)
    {
        var (input, output, clamper) = Clamp(setting);
        Assert.Equal(Expected.Length, input.Count);
        for (int i = 0; i < input.Count; i++)
        {
            if (Changed.Contains(i)) Assert.True(!input[i].SequenceEqual(output[i]), $"frame {i} should have been clamped");
            else Assert.True(input[i].SequenceEqual(output[i]), $"frame {i} changed but must not be");
        }
        var dir = ExternalTools.TempDir();
        try
        {
            var pcap = Path.Combine(dir, "out.pcap");
            TestPcap.Write(pcap, output);
            var rows = Tshark(pcap);
            Assert.Equal(output.Count, rows.Count);
            for (int i = 0; i < rows.Count; i++)
            {
                var want = expected(Expected[i]);
                if (want == Any) continue;
                Assert.True(want == rows[i].Mss, $"frame {i}: tshark shows MSS '{rows[i].Mss}', expected '{want}'");
                // Every TCP frame's checksum must verify (1 = good), the clamped ones above all.
                if (want.Length > 0) Assert.True(rows[i].Checksum == "1", $"frame {i}: TCP checksum status {rows[i].Checksum} (1 = good)");
            }
        }
        finally { Directory.Delete(dir, true); }
        Assert.Equal(counts, clamper.Snapshot());
    }

    private static (List<byte[]> Input, List<byte[]> Output, MssClamper Clamper) Clamp(MssClampSetting setting)
    {
        var dir = ExternalTools.TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "make.py"), Script);
            var pcap = Path.Combine(dir, "in.pcap");
            int rc = ExternalTools.Run(ExternalTools.Python, $"make.py \"{pcap}\"", out var text, dir);
            Assert.True(rc == 0, $"scapy script failed: {text}");
            var input = TestPcap.Read(pcap);
            var tracker = new SessionTracker();
            var clamper = new MssClamper(setting);
            var client = MacAddress.Parse("02:00:00:00:00:01");
            var scratch = new byte[FrameView.EthernetHeaderLength + 65535];
            var output = new List<byte[]>();
            foreach (var frame in input)
            {
                var view = FrameView.Parse(frame);
                Assert.True(view.IsValid, $"scapy frame invalid: {view.ErrorText}");
                tracker.Observe(view, DateTimeOffset.UtcNow, "lab", view.Source == client ? FrameDirection.FromClient : FrameDirection.FromAc);
                int length = clamper.Clamp(view, frame, scratch, tracker);
                output.Add(length < 0 ? frame : scratch[..length]);
            }
            return (input, output, clamper);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static List<(string Mss, string Checksum)> Tshark(string pcap)
    {
        int rc = ExternalTools.Run(ExternalTools.Tshark.Value!,
            $"-r \"{pcap}\" -n -o tcp.check_checksum:TRUE -T fields -E separator=/t -e tcp.options.mss_val -e tcp.checksum.status", out var text);
        Assert.True(rc == 0, $"tshark failed ({rc}): {text}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var cells = line.TrimEnd('\r').Split('\t');
            return (cells[0], cells.Length > 1 ? cells[1] : "");
        }).ToList();
    }
}
