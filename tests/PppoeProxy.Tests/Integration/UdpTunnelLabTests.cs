using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Issue 14's done-when tests for `--transport udp`, with real rp-pppoe peers: a session over DTLS
/// with mutual pinned authentication; refusals carry nothing; the AC name never shows in the
/// datagrams (an --insecure control shows the search works); a datagram replayed from the capture
/// is discarded and counted; a client whose address changes mid-session keeps its session.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class UdpTunnelLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(15);
    private static readonly string[] Udp = { "--transport", "udp" };

    [RootFact]
    public void ARealSessionCrossesTheUdpTunnelWithMutualAuthentication()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Tls, extra: Udp);
        var client = t.ConnectClient(Wire.Tls, extra: Udp);
        using var atAc = t.CaptureAtAc();

        var s = t.Lab.Dial();
        output.WriteLine(s.ToString());
        Assert.NotEqual(0, s.SessionId);
        Assert.Equal(t.Lab.MacOf(t.Lab.AcNs, t.Lab.AcIf), s.AcMac);
        Assert.True(t.Lab.AcSessionProcessAlive(s.SessionId), t.Diagnostics());
        server.WaitForLog($"session up: id {s.SessionId} client {s.ClientMac} AC {s.AcMac}", LogWait);
        Assert.Contains(atAc.Frames(), f => f.Src == s.ClientMac && f.Line.Contains("PADI"));
        Assert.Contains("DTLS 1.2 over UDP", server.WaitForLog("server listening on", LogWait));
        Assert.Contains($"certificate {t.ClientId.Fingerprint}", server.WaitForLog("tunnel connected:", LogWait));
        Assert.Contains($"server certificate {t.ServerId.Fingerprint}", client.WaitForLog("tunnel connected to", LogWait));
    }

    [RootFact]
    public void AClientWithAnUntrustedCertificateCarriesNothing()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Tls, extra: Udp);
        var client = t.StartClient(id: t.StrangerId, extra: Udp);
        var rejected = server.WaitForLog("rejected .*not trusted", LogWait);
        Assert.Contains(t.StrangerId.Fingerprint, rejected);
        client.WaitForLog("cannot connect: .*refused the DTLS handshake", LogWait);
        TunnelRefusalTests.AssertNothingGetsThrough(t, server, client);
    }

    [RootFact]
    public void AClientPinningAnotherServerCarriesNothing()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Tls, extra: Udp);
        var client = t.StartClient(trustServer: t.StrangerId.Fingerprint, extra: Udp);
        var refused = client.WaitForLog("cannot connect: .*fingerprint mismatch", LogWait);
        Assert.Contains($"expected {t.StrangerId.Fingerprint}, got {t.ServerId.Fingerprint}", refused);
        TunnelRefusalTests.AssertNothingGetsThrough(t, server, client);
    }

    [RootFact]
    public void AClientOutsideTheAllowListCarriesNothingAndGetsNoCookie()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Tls, extra: new[] { "--transport", "udp", "--allow", "127.0.0.2/32" });
        using var onLo = t.Capture(null, "lo", $"udp and src port {t.Port}");
        var client = t.StartClient(extra: Udp);
        server.WaitForLog("udp: refused a datagram from 127\\.0\\.0\\.1:\\d+: not in the allow-list", LogWait);
        TunnelRefusalTests.AssertNothingGetsThrough(t, server, client);
        // Not even a HelloVerifyRequest: a source outside the list hears nothing at all.
        Assert.Empty(PcapUdpPayloads.Read(onLo.Bytes()));
    }

    [RootTheory]
    [InlineData(Wire.Tls, false)]
    [InlineData(Wire.Insecure, true)] // the control: proves the search would find it
    public void DtlsHidesTheAcNameInTheDatagrams(Wire wire, bool expectVisible)
    {
        using var t = new TunnelLab();
        t.StartServer(wire, extra: Udp);
        t.ConnectClient(wire, extra: Udp);
        var loopback = t.Capture(null, "lo", $"udp port {t.Port}");

        var s = t.Lab.Dial();
        Assert.NotEqual(0, s.SessionId);
        Thread.Sleep(500);
        var bytes = loopback.Bytes();
        var datagrams = PcapUdpPayloads.Read(bytes);
        output.WriteLine($"{wire}: {datagrams.Count} datagrams on lo port {t.Port}");
        Assert.True(datagrams.Count > 10, "the capture saw no tunnel traffic at all");
        var acName = System.Text.Encoding.ASCII.GetBytes($"LabAC-{t.Lab.Name}");
        Assert.Equal(expectVisible, bytes.AsSpan().IndexOf(acName) >= 0);
        // Our header's marker says which it is, and no datagram is larger than the path budget.
        Assert.All(datagrams, d => Assert.Equal(wire == Wire.Tls ? 0xB1 : 0xB0, d.Payload[0]));
        Assert.All(datagrams, d => Assert.True(d.Payload.Length <= 1400, $"a {d.Payload.Length}-byte datagram"));
    }

    [RootFact]
    public void ADatagramReplayedFromTheWireIsDiscardedAndCounted()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Tls, extra: Udp);
        t.ConnectClient(Wire.Tls, extra: Udp);
        var loopback = t.Capture(null, "lo", $"udp dst port {t.Port}");
        var s = t.Lab.Dial();
        server.WaitForLog($"session up: id {s.SessionId}", LogWait);
        Thread.Sleep(1500); // LCP echoes flow every second
        var toServer = PcapUdpPayloads.Read(loopback.Bytes()).Where(d => d.Payload.Length > 60).ToList();
        Assert.True(toServer.Count > 5, "no client datagrams captured");
        var replayed = toServer[^1].Payload;
        Assert.DoesNotMatch("Replayed=", string.Join('\n', server.StderrLines));

        // Sent again as it was, from another port (an attacker need not own the client's).
        using (var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            for (int i = 0; i < 3; i++) attacker.SendTo(replayed, new IPEndPoint(IPAddress.Loopback, t.Port));
        var line = server.WaitForLog("tunnel .*Replayed=[1-9]", LogWait);
        output.WriteLine(line);
        Assert.Equal("3", Regex.Match(line, "Replayed=(\\d+)").Groups[1].Value);
        // Discarded, not followed: the tunnel still answers at the client's own address.
        Assert.False(server.HasLog("moved to"), server.ToString());
        Thread.Sleep(2000);
        Assert.True(t.Lab.AcSessionProcessAlive(s.SessionId), t.Diagnostics());
    }

    [RootFact]
    public void AClientWhoseAddressChangesMidSessionKeepsItsSession()
    {
        using var t = new TunnelLab();
        var socket = Path.Combine(t.Dir, "server.sock");
        var server = t.StartServer(Wire.Tls, extra: Udp.Concat(new[] { "--status-socket", socket }).ToArray());
        using var relay = new UdpRelay(new IPEndPoint(IPAddress.Loopback, t.Port), IPAddress.Loopback);
        var client = t.Run("client", "client", "--interface", t.Lab.ClientSideIf, "--server", $"127.0.0.1:{relay.Port}",
            "--grace", "5", "--keepalive", "1", "--transport", "udp", "--stats", "1",
            "--cert", t.ClientId.Cert, "--key", t.ClientId.Key, "--trust", t.ServerId.Fingerprint);
        client.WaitForLog("tunnel connected to", LogWait);
        var s = t.Lab.Dial();
        server.WaitForLog($"session up: id {s.SessionId}", LogWait);
        Assert.Contains($"127.0.0.1:{relay.OutsideEndPoint.Port}", server.WaitForLog("tunnel connected:", LogWait));

        var moved = relay.Rebind(IPAddress.Parse("127.0.0.2"));
        var line = server.WaitForLog("moved to 127\\.0\\.0\\.2", LogWait);
        output.WriteLine(line);
        Assert.Contains(moved.ToString(), line);
        // LCP echoes (every second) keep crossing after the move: the AC sees the client's frames and answers.
        using var atAc = t.CaptureAtAc();
        Thread.Sleep(4000);
        var frames = atAc.Frames();
        Assert.Contains(frames, f => f.Src == s.ClientMac);
        Assert.Contains(frames, f => f.Dst == s.ClientMac);
        Assert.True(t.Lab.AcSessionProcessAlive(s.SessionId), t.Diagnostics());
        Assert.Equal(1, server.CountLog("tunnel connected:"));
        Assert.False(server.HasLog("tunnel disconnected"), server.ToString());
        Assert.False(client.HasLog("tunnel to .* lost"), client.ToString());
        // The status names the tunnel by where it is now, not where it started.
        var status = PppoeProxy.Tests.Cli.CliRunner.Run("status", "--socket", socket, "--json");
        Assert.True(status.ExitCode == 0, status.Error);
        var peer = Assert.Single(System.Text.Json.JsonDocument.Parse(status.OutLines[0]).RootElement.GetProperty("peers").EnumerateArray());
        Assert.StartsWith(moved.ToString(), peer.GetProperty("name").GetString());
    }

    [RootFact]
    public void KeysAreRenewedByAFreshHandshakeAndTheSessionCarriesOn()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Tls, extra: Udp);
        var client = t.ConnectClient(Wire.Tls, extra: new[] { "--transport", "udp", "--rekey", "3" });
        var s = t.Lab.Dial();
        server.WaitForLog($"session up: id {s.SessionId}", LogWait);
        var deadline = DateTime.UtcNow + LogWait;
        while (client.CountLog("keys renewed") < 2 && DateTime.UtcNow < deadline) Thread.Sleep(200);
        Assert.True(client.CountLog("keys renewed") >= 2, client.ToString());
        server.WaitForLog("tunnel disconnected: .*keys renewed", LogWait);
        Assert.True(server.CountLog("tunnel connected: .*authenticated by pinned certificate " + t.ClientId.Fingerprint) >= 3, server.ToString());
        // Make before break: nothing was held or ended, and LCP echoes still cross both ways.
        using var atAc = t.CaptureAtAc();
        Thread.Sleep(3000);
        var frames = atAc.Frames();
        Assert.Contains(frames, f => f.Src == s.ClientMac);
        Assert.Contains(frames, f => f.Dst == s.ClientMac);
        Assert.True(t.Lab.AcSessionProcessAlive(s.SessionId), t.Diagnostics());
        Assert.False(server.HasLog("PADT sent"), server.ToString());
        Assert.False(client.HasLog("PADT sent"), client.ToString());
        Assert.False(client.HasLog("tunnel to .* lost"), client.ToString());
    }

    [RootFact]
    public void AfterAServerRestartTheClientMovesToAFreshAssociationAndTheSessionCarriesOn()
    {
        using var t = new TunnelLab { Grace = 20 };
        var server = t.StartServer(Wire.Tls, extra: Udp);
        // Pings every 3 s: silent after 6 s, well before 3 unanswered keepalives (10 s) would drop the tunnel.
        var client = t.Run("client", "client", "--interface", t.Lab.ClientSideIf, "--server", t.Endpoint, "--grace", "20",
            "--keepalive", "3", "--transport", "udp", "--cert", t.ClientId.Cert, "--key", t.ClientId.Key, "--trust", t.ServerId.Fingerprint);
        client.WaitForLog("tunnel connected to", LogWait);
        var s = t.Lab.Dial();
        server.WaitForLog($"session up: id {s.SessionId}", LogWait);
        server.Kill(); // no goodbye: the client's association dies with it, silently (UDP)
        server = t.StartServer(Wire.Tls, extra: Udp);
        int before = EchoesAtHome(t.Lab);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        client.WaitForLog("the server is silent", LogWait);
        client.WaitForLog("tunnel moved to a fresh association", LogWait);
        client.WaitForLog("told .* about 1 live session", LogWait);
        Assert.False(client.HasLog("lost: server did not answer"), client.ToString());
        Assert.True(NetnsLab.WaitUntil(() => EchoesAtHome(t.Lab) >= before + 2, LogWait), "echoes did not resume\n" + t.Diagnostics());
        output.WriteLine($"echoes reach home again {sw.Elapsed.TotalSeconds:0.0} s after the restarted server listens");
        Assert.True(t.Lab.AcSessionProcessAlive(s.SessionId), t.Diagnostics());
        Assert.False(client.HasLog("PADT sent"), client.ToString());
    }

    private static int EchoesAtHome(NetnsLab lab) => Regex.Matches(
        string.Join('\n', Directory.GetFiles(lab.StateDir, "client-*.log").Select(File.ReadAllText)), "LCP RX Echo-Req").Count;

    private const string SendRaw = "import socket, sys\ns = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\ns.bind((sys.argv[1], 0))\n" +
                                   "for h in sys.argv[2:]: s.send(bytes.fromhex(h))\n";

    [RootFact]
    public void AFullSizeFrameIsSplitIntoDatagramsThatFitAndArrivesWhole()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Tls, extra: Udp);
        t.ConnectClient(Wire.Tls, extra: Udp);
        var s = t.Lab.Dial();
        server.WaitForLog($"session up: id {s.SessionId}", LogWait);
        var onLo = t.Capture(null, "lo", $"udp port {t.Port}");
        var atAc = t.CaptureAtAc();

        // A 1514-byte session frame (PPP IPv4) from the home client to the AC: larger than one 1400-byte datagram.
        var data = new byte[1492];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)"big-frame-"[i % 10];
        var frame = new List<byte>();
        frame.AddRange(Convert.FromHexString(s.AcMac.Replace(":", "")));
        frame.AddRange(Convert.FromHexString(s.ClientMac.Replace(":", "")));
        frame.AddRange(new byte[] { 0x88, 0x64, 0x11, 0x00, (byte)(s.SessionId >> 8), (byte)s.SessionId, (byte)((data.Length + 2) >> 8), (byte)(data.Length + 2), 0x00, 0x21 });
        frame.AddRange(data);
        Assert.Equal(1514, frame.Count);
        var r = NetnsLab.RunIn(t.Lab.HomeNs, TimeSpan.FromSeconds(15), "/usr/bin/python3", "-c", SendRaw, t.Lab.HomeIf, Convert.ToHexString(frame.ToArray()));
        Assert.True(r.Ok, r.ToString());
        Thread.Sleep(1000);

        Assert.True(atAc.Contains(frame.ToArray()), "the 1514-byte frame did not reach the AC whole\n" + t.Diagnostics());
        var datagrams = PcapUdpPayloads.Read(onLo.Bytes());
        Assert.NotEmpty(datagrams);
        Assert.All(datagrams, d => Assert.True(d.Payload.Length <= 1400, $"a {d.Payload.Length}-byte datagram"));
        Assert.Contains(datagrams, d => d.Payload.Length > 1300); // the first fragment, filled to the budget
    }
}
