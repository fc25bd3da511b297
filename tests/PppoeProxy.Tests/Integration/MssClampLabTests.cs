using System.Text.Json;
using PppoeProxy.Tests.Cli;
using PppoeProxy.Tests.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// --clamp-mss auto through running proxies and a real rp-pppoe session: the lab's AC asks for MRU 1454 in LCP
/// (as FLET'S does), the client's peer 1492. TCP SYNs sent on the home LAN and SYN-ACKs sent by the AC side
/// (scapy, with the session's ids) cross the tunnel; tshark reads what arrives at the far side. Run once with
/// only the client clamping and once with only the server, so each of the four frame paths is proved; and once with
/// the server in rewrite mode on a macvlan, where the frames it clamps are already its rewritten copies.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class MssClampLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    // argv: iface src dst sid kind...; kinds: syn4 syn6 ack4 synack4 full4 (a data segment filling PPPoE's 1492 bytes)
    private const string SendTcp = """
        import sys
        from scapy.all import *
        iface, src, dst, sid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        s = lambda: Ether(src=src, dst=dst)/PPPoE(sessionid=sid)
        ppp = lambda proto: Raw(struct.pack(">H", proto))  # scapy's PPP() would compress 0x21 and 0x57 to one byte
        opts4 = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]
        make = {
            "syn4": lambda: s()/ppp(0x21)/IP(src="10.67.15.1", dst="192.0.2.80")/TCP(sport=40000, dport=80, flags="S", options=opts4),
            "syn6": lambda: s()/ppp(0x57)/IPv6(src="2001:db8::1", dst="2001:db8:1::80")/TCP(sport=40001, dport=80, flags="S", options=[("MSS", 1440), ("NOP", None), ("WScale", 7)]),
            "ack4": lambda: s()/ppp(0x21)/IP(src="10.67.15.1", dst="192.0.2.80")/TCP(sport=40000, dport=80, flags="A", options=[("MSS", 1460)])/Raw(b"GET /"),
            "full4": lambda: s()/ppp(0x21)/IP(src="10.67.15.1", dst="192.0.2.80")/TCP(sport=40000, dport=80, flags="A")/Raw(b"x" * 1450),
            "synack4": lambda: s()/ppp(0x21)/IP(src="192.0.2.80", dst="10.67.15.1")/TCP(sport=80, dport=40000, flags="SA", ack=1, options=[("MSS", 1460), ("SAckOK", b"")]),
        }
        sendp([make[k]() for k in sys.argv[5:]], iface=iface, verbose=False)
        """;

    [RootTheory]
    [InlineData("client", "transparent")]
    [InlineData("server", "transparent")]
    [InlineData("server", "rewrite")]
    public void SynsAndSynAcksAreClampedToTheLcpMtuByEitherEnd(string clamping, string macMode)
    {
        // run-tests.sh installs both wherever the lab (root) runs.
        Assert.True(ExternalTools.Tshark.Value is not null && ExternalTools.Scapy.Value, "tshark and scapy needed (apt-get install tshark python3-scapy)");
        using var t = new TunnelLab();
        // Read by each new AC peer (tests/lab/ppp-peer.py): the AC asks for MRU 1454, like FLET'S.
        File.AppendAllText(Path.Combine(t.Lab.StateDir, "pppoe-server-options"), "mru 1454\n");
        var serverSocket = Path.Combine(t.Dir, "server.sock");
        var clientSocket = Path.Combine(t.Dir, "client.sock");
        string[] Clamp(string role) => clamping == role ? new[] { "--clamp-mss", "auto" } : Array.Empty<string>();
        string? serverIf = null, serverMac = null; // rewrite: a macvlan, as on a FLET'S router; the AC knows its MAC only
        if (macMode == "rewrite")
        {
            serverIf = t.Lab.Name + "-m";
            t.OwnLink(serverIf);
            NetnsLab.Run("ip", new[] { "link", "add", serverIf, "link", t.Lab.ServerSideIf, "type", "macvlan", "mode", "bridge" }, Wait);
            NetnsLab.Run("sysctl", new[] { "-qw", $"net.ipv6.conf.{serverIf}.disable_ipv6=1" }, Wait);
            NetnsLab.Run("ip", new[] { "link", "set", serverIf, "up" }, Wait);
            serverMac = File.ReadAllText($"/sys/class/net/{serverIf}/address").Trim();
        }
        t.StartServer(Wire.Insecure, iface: serverIf, extra: new[] { "--status-socket", serverSocket, "--mac-mode", macMode }.Concat(Clamp("server")).ToArray());
        t.ConnectClient(Wire.Insecure, extra: new[] { "--status-socket", clientSocket }.Concat(Clamp("client")).ToArray());
        var session = t.Lab.Dial(acPeerMac: serverMac);
        var acMac = t.Lab.MacOf(t.Lab.AcNs, t.Lab.AcIf);
        var clientAtAc = serverMac ?? session.ClientMac;

        var atAc = t.Capture(t.Lab.AcNs, t.Lab.AcIf, "pppoes");
        var atHome = t.Capture(t.Lab.HomeNs, t.Lab.HomeIf, "pppoes");
        Send(t.Lab.HomeNs, t.Lab.HomeIf, session.ClientMac, acMac, session.SessionId, "syn4", "syn6", "ack4", "full4");
        Send(t.Lab.AcNs, t.Lab.AcIf, acMac, clientAtAc, session.SessionId, "synack4");
        var socket = clamping == "server" ? serverSocket : clientSocket;
        Assert.True(NetnsLab.WaitUntil(() => Clamped(socket) == 3, Wait), $"{clamping} counted {Clamped(socket)} clamped SYNs, expected 3\n{t.Diagnostics()}");
        Thread.Sleep(300); // the last frame is on the far side by now

        // 1414 = 1454 - 40, 1394 = 1454 - 60; the ACK keeps its (odd) MSS option; every checksum verifies. The
        // full-size segment crosses the TCP tunnel whole: the tunnel itself needs no clamp (hence off by default).
        var toAc = Tcp(atAc, clientAtAc);
        Assert.Equal(new[] { ("0x0002", "1414", "1"), ("0x0002", "1394", "1"), ("0x0010", "1460", "1"), ("0x0010", "", "1") }, toAc);
        Assert.Contains(atAc.Lines(), l => l.Contains("length 1512"));
        var toHome = Tcp(atHome, acMac);
        Assert.Equal(new[] { ("0x0012", "1414", "1") }, toHome);
        Assert.Equal(0, Clamped(clamping == "server" ? clientSocket : serverSocket)); // the other end's clamp is off
        output.WriteLine($"{clamping} ({macMode}) clamped: to the AC {string.Join(", ", toAc)}; to the LAN {string.Join(", ", toHome)}");
    }

    private static void Send(string ns, string iface, string src, string dst, int sid, params string[] kinds)
    {
        var r = NetnsLab.RunIn(ns, TimeSpan.FromSeconds(30), ExternalTools.Python,
            new[] { "-c", SendTcp, iface, src, dst, sid.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(kinds).ToArray());
        Assert.True(r.Ok, r.ToString());
    }

    /// <summary>
    /// (tcp.flags, MSS, checksum status) of every TCP segment from <paramref name="source"/> in the capture. Not those
    /// inside LCP Protocol-Rejects: the lab's PPP peers reject IP, quoting the packet, which tshark decodes too.
    /// </summary>
    private static List<(string Flags, string Mss, string Checksum)> Tcp(PacketCapture capture, string source)
    {
        capture.Stop();
        int rc = ExternalTools.Run(ExternalTools.Tshark.Value!,
            $"-r \"{capture.File}\" -n -o tcp.check_checksum:TRUE -Y \"tcp && !lcp && eth.src == {source}\" -T fields -E separator=/t -e tcp.flags -e tcp.options.mss_val -e tcp.checksum.status",
            out var text);
        Assert.True(rc == 0, $"tshark failed: {text}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.TrimEnd('\r').Split('\t'))
            .Select(c => (c[0], c.Length > 1 ? c[1] : "", c.Length > 2 ? c[2] : "")).ToList();
    }

    /// <summary>SYNs the end clamped, from `pppoeproxy status --json`.</summary>
    private static long Clamped(string socket)
    {
        var r = CliRunner.Run("status", "--socket", socket, "--json");
        if (r.ExitCode != 0 || r.OutLines.Length == 0) return -1;
        return JsonDocument.Parse(r.OutLines[0]).RootElement.GetProperty("mssClamp").GetProperty("clamped").GetInt64();
    }
}
