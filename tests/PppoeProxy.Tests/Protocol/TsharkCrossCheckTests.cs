using System.Globalization;
using PppoeProxy.Engine.Protocol;
using Xunit;

namespace PppoeProxy.Tests.Protocol;

/// <summary>Frames made by scapy, decoded by tshark and by us: every field must agree.</summary>
public class TsharkCrossCheckTests
{
    private const string Script = """
        import sys
        from scapy.all import *
        c, a = "00:11:22:33:44:55", "66:77:88:99:aa:bb"
        def eth(src=c, dst=a, vlans=()):
            p = Ether(src=src, dst=dst)
            for kind, vid, prio in vlans:
                p = p / (Dot1AD(vlan=vid, prio=prio) if kind == "ad" else Dot1Q(vlan=vid, prio=prio))
            return p
        def tags(*pairs): return PPPoED_Tags(tag_list=[PPPoETag(tag_type=t, tag_value=v) for t, v in pairs])
        bbf = b"\x00\x00\x0d\xe9" + b"\x01\x0bPON 1/1/3:7" + b"\x02\x05cpe42"
        ps = []
        ps.append(eth(dst="ff:ff:ff:ff:ff:ff")/PPPoED(code=0x09)/tags((0x0101, b"internet"), (0x0103, b"\xde\xad\xbe\xef")))
        ps.append(eth(dst="ff:ff:ff:ff:ff:ff", vlans=[("q", 10, 0)])/PPPoED(code=0x09)/tags((0x0101, b""), (0x0103, b"\x01")))
        ps.append(eth(a, c)/PPPoED(code=0x07)/tags((0x0102, b"BRAS-01"), (0x0101, b"internet"), (0x0104, b"\x11"*16), (0x0103, b"\xde\xad\xbe\xef")))
        ps.append(eth(vlans=[("ad", 100, 5), ("q", 200, 3)])/PPPoED(code=0x19)/tags((0x0101, b"internet"), (0x0104, b"\x11"*16), (0x0105, bbf)))
        ps.append(eth(a, c, vlans=[("ad", 100, 5), ("q", 200, 3)])/PPPoED(code=0x65, sessionid=0x0042)/tags((0x0101, b"internet"), (0x0120, b"\x05\xdc")))
        ps.append(eth(a, c)/PPPoED(code=0x65, sessionid=0)/tags((0x0201, b"no such service")))
        ps.append(eth()/PPPoED(code=0xa7, sessionid=0x0042)/tags((0x0203, b"admin reset"), (0x0110, b"\x01\x02\x03")))
        ps.append(eth(a, c)/PPPoED(code=0xa7, sessionid=0xfffe)/tags((0x0202, b"overload")))
        for code in (0xd3, 0xd4, 0x0a, 0x0b, 0x0c, 0x42):
            ps.append(eth(a, c, vlans=[("q", 7, 7)])/PPPoED(code=code, sessionid=0x0042)/tags((0x0112, b"hello"), (0x0111, b"http://x")))
        ps.append(eth(vlans=[("q", 4094, 1)])/PPPoED(code=0x09)/tags((0x0101, b"a"), (0x0000, b"")))
        s = lambda src=c, dst=a, vlans=(): eth(src, dst, vlans)/PPPoE(sessionid=0x0042)
        ps.append(s()/PPP(proto=0xc021)/PPP_LCP_Configure(code=1, id=1, options=[PPP_LCP_MRU_Option(max_recv_unit=1492), PPP_LCP_Magic_Number_Option(magic_number=0x1234)]))
        ps.append(s(a, c)/PPP(proto=0xc021)/PPP_LCP_Configure(code=2, id=1, options=[PPP_LCP_MRU_Option(max_recv_unit=1492)]))
        ps.append(s(a, c, [("ad", 100, 5), ("q", 200, 3)])/PPP(proto=0xc021)/PPP_LCP_Echo(code=9, id=77, magic_number=1))
        ps.append(s(vlans=[("ad", 100, 5), ("q", 200, 3)])/PPP(proto=0xc021)/PPP_LCP_Echo(code=10, id=77, magic_number=2))
        ps.append(s()/PPP(proto=0xc021)/PPP_LCP_Terminate(code=5, id=3, data=b"bye"))
        ps.append(s()/PPP(proto=0xc023)/PPP_PAP_Request(id=9, username=b"user@isp", password=b"secret"))
        ps.append(s(a, c)/PPP(proto=0xc023)/PPP_PAP_Response(code=2, id=9, message=b"welcome"))
        ps.append(s(a, c)/PPP(proto=0xc223)/PPP_CHAP_ChallengeResponse(code=1, id=4, value=b"\x01"*16, optional_name=b"BRAS-01"))
        ps.append(s()/PPP(proto=0xc223)/PPP_CHAP_ChallengeResponse(code=2, id=4, value=b"\x02"*16, optional_name=b"user"))
        ps.append(s(a, c)/PPP(proto=0xc223)/PPP_CHAP(code=3, id=4, data=b"ok"))
        ps.append(s()/PPP(proto=0x8021)/PPP_IPCP(code=1, id=6, options=[PPP_IPCP_Option_IPAddress(data="0.0.0.0")]))
        ps.append(s(a, c)/PPP(proto=0x8021)/PPP_IPCP(code=3, id=6, options=[PPP_IPCP_Option_IPAddress(data="10.0.0.9")]))
        ps.append(s()/PPP(proto=0x8057)/Raw(b"\x01\x08\x00\x0e\x01\x0a\x11\x22\x33\x44\x55\x66\x77\x88"))
        ps.append(s()/PPP(proto=0x0021)/IP(src="10.0.0.9", dst="8.8.8.8")/ICMP(id=1))
        ps.append(s(a, c)/PPP(proto=0x0057)/IPv6(src="2001:db8::1", dst="2001:db8::2")/ICMPv6EchoRequest())
        ps.append(s()/Raw(bytes([0x21]) + bytes(IP(src="10.0.0.9", dst="1.1.1.1")/ICMP())))
        wrpcap(sys.argv[1], ps)
        """;

    private static readonly string[] Fields =
    {
        "frame.number", "eth.src", "eth.dst", "vlan.id", "ieee8021ad.id", "pppoe.version", "pppoe.type", "pppoe.code",
        "pppoe.session_id", "pppoe.payload_length", "pppoed.tags.service_name", "pppoed.tags.ac_name",
        "pppoed.tags.host_uniq", "pppoed.tags.ac_cookie", "pppoed.tags.relay_session_id", "pppoed.tags.generic_error",
        "pppoed.tags.service_name_error", "pppoed.tags.ac_system_error", "pppoed.tags.vendor_id",
        "pppoed.tags.circuit_id", "pppoed.tags.remote_id", "pppoed.tags.max_payload", "ppp.protocol",
        "ppp.code", "ppp.identifier", "ppp.length", "pap.code", "pap.identifier", "pap.length",
        "chap.code", "chap.identifier", "chap.length", "_ws.malformed",
    };

    [TsharkFact(needsScapy: true)]
    public void ScapyFramesDecodeLikeTshark()
    {
        var dir = ExternalTools.TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "make.py"), Script);
            var pcap = Path.Combine(dir, "scapy.pcap");
            int rc = ExternalTools.Run(ExternalTools.Python, $"make.py \"{pcap}\"", out var output, dir);
            Assert.True(rc == 0, $"scapy script failed: {output}");
            var frames = TestPcap.Read(pcap);
            var rows = ExternalTools.TsharkFields(pcap, Fields);
            Assert.Equal(31, frames.Count);
            Assert.Equal(frames.Count, rows.Count);
            for (int i = 0; i < frames.Count; i++) Compare(i + 1, frames[i], rows[i]);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static void Compare(int number, byte[] bytes, Dictionary<string, string> t)
    {
        var f = PppoeFrame.Parse(bytes);
        void Eq(object? expected, object? actual, string what) =>
            Assert.True(Equals(expected, actual), $"frame {number} {what}: tshark '{expected}', ours '{actual}'");

        Eq(number.ToString(CultureInfo.InvariantCulture), t["frame.number"], "number");
        Eq("", t["_ws.malformed"], "tshark malformed");
        // tshark decodes an unknown discovery code; we decode it too but flag it, so the proxy drops it.
        if (f.Stage == "discovery" && f.Code.StartsWith("Unknown", StringComparison.Ordinal))
            Eq($"unknown PPPoE discovery code 0x{f.CodeValue:x2}", f.Error, "our error");
        else Eq(null, f.Error, "our error");
        Eq(t["eth.src"], f.Source.ToString(), "eth.src");
        Eq(t["eth.dst"], f.Destination.ToString(), "eth.dst");
        Eq(t["vlan.id"], Join(f.VlanTags.Where(v => v.Tpid == EtherTypes.Vlan8021Q).Select(v => v.Id)), "802.1Q ids");
        Eq(t["ieee8021ad.id"], Join(f.VlanTags.Where(v => v.Tpid == EtherTypes.Vlan8021AD).Select(v => v.Id)), "802.1ad ids");
        Eq(Num(t["pppoe.version"]), (int)f.Version, "version");
        Eq(Num(t["pppoe.type"]), (int)f.Type, "type");
        Eq(Num(t["pppoe.code"]), (int)f.CodeValue, "code");
        Eq(Num(t["pppoe.session_id"]), f.SessionId, "session id");
        Eq(Num(t["pppoe.payload_length"]), f.PayloadLength, "payload length");

        string Tags(PppoeTagType type, bool hex = false) => Join(f.Tags.Where(g => g.Type == (int)type)
            .Select(g => hex ? Convert.ToHexString(g.RawValue).ToLowerInvariant() : g.Value));
        Eq(t["pppoed.tags.service_name"], Tags(PppoeTagType.ServiceName), "Service-Name");
        Eq(t["pppoed.tags.ac_name"], Tags(PppoeTagType.AcName), "AC-Name");
        Eq(Hex(t["pppoed.tags.host_uniq"]), Tags(PppoeTagType.HostUniq), "Host-Uniq");
        Eq(Hex(t["pppoed.tags.ac_cookie"]), Tags(PppoeTagType.AcCookie), "AC-Cookie");
        Eq(Hex(t["pppoed.tags.relay_session_id"]), Tags(PppoeTagType.RelaySessionId), "Relay-Session-Id");
        Eq(t["pppoed.tags.generic_error"], Tags(PppoeTagType.GenericError), "Generic-Error");
        Eq(t["pppoed.tags.service_name_error"], Tags(PppoeTagType.ServiceNameError), "Service-Name-Error");
        Eq(t["pppoed.tags.ac_system_error"], Tags(PppoeTagType.AcSystemError), "AC-System-Error");
        Eq(Hex(t["pppoed.tags.max_payload"]), Tags(PppoeTagType.PppMaxPayload, hex: true), "PPP-Max-Payload");
        var vendor = f.Tags.Where(g => g.Type == (int)PppoeTagType.VendorSpecific).ToList();
        Eq(t["pppoed.tags.vendor_id"], Join(vendor.Select(v => v.VendorId?.ToString(CultureInfo.InvariantCulture))), "vendor id");
        Eq(t["pppoed.tags.circuit_id"], Join(vendor.Select(v => v.AgentCircuitId)), "Agent-Circuit-Id");
        Eq(t["pppoed.tags.remote_id"], Join(vendor.Select(v => v.AgentRemoteId)), "Agent-Remote-Id");

        if (f.Stage == "discovery")
        {
            Eq("", t["ppp.protocol"], "ppp.protocol on discovery");
            return;
        }
        Eq(Num(t["ppp.protocol"]), f.Ppp!.Protocol, "PPP protocol");
        string prefix = f.Ppp.Protocol switch { PppProtocols.Pap => "pap", PppProtocols.Chap => "chap", _ => "ppp" };
        Eq(t[prefix + ".code"], f.Ppp.Code?.ToString(CultureInfo.InvariantCulture) ?? "", "control code");
        Eq(t[prefix + ".identifier"], f.Ppp.Identifier?.ToString(CultureInfo.InvariantCulture) ?? "", "control identifier");
        var view = FrameView.Parse(bytes);
        Eq(t[prefix + ".length"], view.HasPppControlHeader ? view.PppLength.ToString(CultureInfo.InvariantCulture) : "", "control length");
    }

    private static string Join<T>(IEnumerable<T> values) => string.Join("|", values);
    private static string Hex(string tshark) => tshark.Replace(":", "").ToLowerInvariant();
    private static int? Num(string text) => text.Length == 0 ? null
        : text.StartsWith("0x", StringComparison.Ordinal) ? int.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        : int.Parse(text, CultureInfo.InvariantCulture);
}
