using System.Globalization;
using PppoeProxy.Engine.Protocol;
using Xunit;

namespace PppoeProxy.Tests.Protocol;

/// <summary>Control packets made by scapy, decoded by tshark and by us: every option field the decoder shows must agree.</summary>
public class TsharkOptionFieldTests
{
    private const string Script = """
        import sys
        from scapy.all import *
        c, a = "00:11:22:33:44:55", "66:77:88:99:aa:bb"
        s = lambda src=c, dst=a: Ether(src=src, dst=dst)/PPPoE(sessionid=0x0042)
        lcp = lambda code, opts: s()/PPP(proto=0xc021)/PPP_LCP_Configure(code=code, id=1, options=opts)
        ps = []
        ps.append(lcp(1, [PPP_LCP_MRU_Option(max_recv_unit=1454), PPP_LCP_Auth_Protocol_Option(auth_protocol=0xc023), PPP_LCP_Magic_Number_Option(magic_number=0x1a2b3c4d)]))
        ps.append(lcp(1, [PPP_LCP_MRU_Option(max_recv_unit=1492), PPP_LCP_Auth_Protocol_Option(auth_protocol=0xc223, algorithm=5), PPP_LCP_Option(type=7), PPP_LCP_Option(type=8)]))
        ps.append(lcp(2, [PPP_LCP_ACCM_Option(accm=0), PPP_LCP_Auth_Protocol_Option(auth_protocol=0xc223, algorithm=0x81), PPP_LCP_Option(type=17, data=b"\x05\xd4")]))
        ps.append(lcp(3, [PPP_LCP_ACCM_Option(accm=0x000a0000), PPP_LCP_MRU_Option(max_recv_unit=1400)]))
        ps.append(lcp(4, [PPP_LCP_Option(type=13, data=b"\x06"), PPP_LCP_Magic_Number_Option(magic_number=0xffffffff)]))
        ps.append(s()/PPP(proto=0xc021)/PPP_LCP_Echo(code=9, id=7, magic_number=0x01020304))
        ps.append(s(a, c)/PPP(proto=0xc021)/PPP_LCP_Echo(code=10, id=7, magic_number=0xa0b0c0d0, data=b"xyz"))
        ps.append(s()/PPP(proto=0xc021)/PPP_LCP_Discard_Request(id=8, magic_number=0x11223344))
        ps.append(s()/PPP(proto=0xc023)/PPP_PAP_Request(id=9, username=b"user@flets.example", password=b"s3cretPW"))
        ps.append(s()/PPP(proto=0xc023)/PPP_PAP_Request(id=10, username=b"", password=b""))
        ps.append(s(a, c)/PPP(proto=0xc023)/PPP_PAP_Response(code=3, id=9, message=b"bad password"))
        ps.append(s(a, c)/PPP(proto=0xc223)/PPP_CHAP_ChallengeResponse(code=1, id=4, value=b"\x01"*16, optional_name=b"BRAS-01"))
        ps.append(s()/PPP(proto=0xc223)/PPP_CHAP_ChallengeResponse(code=2, id=4, value=b"\x02"*49, optional_name=b"user"))
        ps.append(s(a, c)/PPP(proto=0xc223)/PPP_CHAP(code=4, id=4, data=b"E=691 R=0"))
        ps.append(s()/PPP(proto=0x8021)/PPP_IPCP(code=1, id=6, options=[PPP_IPCP_Option_IPAddress(data="0.0.0.0"), PPP_IPCP_Option_DNS1(data="0.0.0.0"), PPP_IPCP_Option_DNS2(data="0.0.0.0")]))
        ps.append(s(a, c)/PPP(proto=0x8021)/PPP_IPCP(code=3, id=6, options=[PPP_IPCP_Option_IPAddress(data="203.0.113.9"), PPP_IPCP_Option_DNS1(data="198.51.100.1"), PPP_IPCP_Option_DNS2(data="198.51.100.2")]))
        ps.append(s(a, c)/PPP(proto=0x8021)/PPP_IPCP(code=1, id=2, options=[PPP_IPCP_Option_IPAddress(data="192.0.2.1")]))
        ps.append(s()/PPP(proto=0x8057)/Raw(b"\x01\x08\x00\x0e\x01\x0a\x02\x11\x22\xff\xfe\x33\x44\x55"))
        ps.append(s(a, c)/PPP(proto=0x8057)/Raw(b"\x02\x08\x00\x0e\x01\x0a\x00\x00\x00\x00\x00\x00\x00\x01"))
        wrpcap(sys.argv[1], ps)
        """;

    private static readonly string[] Fields =
    {
        "_ws.malformed", "_ws.expert.message", "lcp.opt.type", "lcp.opt.mru", "lcp.opt.asyncmap", "lcp.opt.auth_protocol",
        "lcp.opt.algorithm", "lcp.opt.magic_number", "lcp.opt.mrru", "lcp.magic_number", "pap.peer_id", "pap.password.length",
        "pap.message", "chap.value_size", "chap.name", "chap.message", "ipcp.opt.type", "ipcp.opt.ip_address",
        "ipcp.opt.pri_dns_address", "ipcp.opt.sec_dns_address", "ipv6cp.opt.type", "ipv6cp.interface_identifier",
    };

    [TsharkFact(needsScapy: true)]
    public void EveryOptionFieldDecodesLikeTshark()
    {
        var dir = ExternalTools.TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "make.py"), Script);
            var pcap = Path.Combine(dir, "options.pcap");
            int rc = ExternalTools.Run(ExternalTools.Python, $"make.py \"{pcap}\"", out var output, dir);
            Assert.True(rc == 0, $"scapy script failed: {output}");
            var frames = TestPcap.Read(pcap);
            var rows = ExternalTools.TsharkFields(pcap, Fields);
            Assert.Equal(19, frames.Count);
            Assert.Equal(frames.Count, rows.Count);
            // Every field must carry a value somewhere, or "both empty" would pass for a field nobody decoded.
            foreach (var field in Fields.Where(f => !f.StartsWith("_ws.", StringComparison.Ordinal)))
                Assert.True(rows.Any(r => r[field].Length > 0), $"tshark showed no {field} in the corpus");
            for (int i = 0; i < frames.Count; i++) Compare(i + 1, PppoeFrame.Parse(frames[i]), rows[i]);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static void Compare(int number, PppoeFrame f, Dictionary<string, string> t)
    {
        void Eq(string expected, string? actual, string what) =>
            Assert.True(expected == (actual ?? ""), $"frame {number} {what}: tshark '{expected}', ours '{actual}'");
        var ppp = f.Ppp!;
        Eq("", t["_ws.malformed"] + t["_ws.expert.message"], "tshark complaint");
        Eq("", f.Error, "our error");
        Eq("", f.Warning, "our warning");
        string Types() => string.Join("|", ppp.Options?.Select(o => o.Type) ?? []);
        string Option(int type) => ppp.Option(type) ?? "";
        switch (ppp.Protocol)
        {
            case PppProtocols.Lcp:
                Eq(t["lcp.opt.type"], Types(), "LCP option types");
                Eq(t["lcp.opt.mru"], Option(LcpOptions.Mru), "MRU");
                Eq(t["lcp.opt.asyncmap"], Option(LcpOptions.Accm), "ACCM");
                Eq(AuthName(t["lcp.opt.auth_protocol"], t["lcp.opt.algorithm"]), Option(LcpOptions.AuthProtocol), "auth protocol");
                Eq(t["lcp.opt.magic_number"], Option(LcpOptions.MagicNumber), "magic option");
                Eq(t["lcp.opt.mrru"], Option(LcpOptions.Mrru), "MRRU");
                Eq(t["lcp.magic_number"], ppp.MagicNumber is uint m ? $"0x{m:x8}" : "", "echo magic");
                break;
            case PppProtocols.Pap:
                Eq(t["pap.peer_id"], ppp.Pap?.PeerId, "Peer-ID");
                Eq(t["pap.password.length"], ppp.Pap?.PasswordLength?.ToString(CultureInfo.InvariantCulture), "password length");
                Eq(t["pap.message"], ppp.Pap?.Message, "PAP message");
                break;
            case PppProtocols.Chap:
                Eq(t["chap.value_size"], ppp.Chap?.ValueLength?.ToString(CultureInfo.InvariantCulture), "Value-Size");
                Eq(t["chap.name"], ppp.Chap?.Name, "CHAP name");
                Eq(t["chap.message"], ppp.Chap?.Message, "CHAP message");
                break;
            case PppProtocols.Ipcp:
                Eq(t["ipcp.opt.type"], Types(), "IPCP option types");
                Eq(t["ipcp.opt.ip_address"], Option(IpcpOptions.IpAddress), "IP address");
                Eq(t["ipcp.opt.pri_dns_address"], Option(IpcpOptions.PrimaryDns), "primary DNS");
                Eq(t["ipcp.opt.sec_dns_address"], Option(IpcpOptions.SecondaryDns), "secondary DNS");
                break;
            case PppProtocols.Ipv6cp:
                Eq(t["ipv6cp.opt.type"], Types(), "IPv6CP option types");
                Eq(t["ipv6cp.interface_identifier"].Replace(":", ""), Option(Ipv6cpOptions.InterfaceId)?.Replace(":", ""), "interface id");
                break;
            default:
                Assert.Fail($"frame {number}: unexpected protocol 0x{ppp.Protocol:x4}");
                break;
        }
    }

    /// <summary>The name we show for tshark's protocol number and CHAP algorithm (RFC 1994, RFC 2433, RFC 2759).</summary>
    private static string AuthName(string protocol, string algorithm) => (protocol, algorithm) switch
    {
        ("", _) => "",
        ("0xc023", _) => "PAP",
        ("0xc223", "5") => "CHAP-MD5",
        ("0xc223", "129") => "MS-CHAPv2",
        _ => $"unexpected {protocol}/{algorithm}",
    };
}
