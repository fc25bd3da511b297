using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Two clients on one server: each LAN gets only its own sessions' frames, and a LAN forging the
/// other client's MAC and session gets nothing to the AC (and cannot hang that session up).
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed partial class TunnelIsolationTests(ITestOutputHelper output)
{
    [RootFact]
    public void TwoClientsAreIsolatedAndSpoofedFramesNeverReachTheAc()
    {
        using var t = new TunnelLab();
        var labB = t.AddLab(); // B's home LAN; its own AC side stays unused
        var server = t.StartServer();
        t.ConnectClient(name: "client A");
        t.ConnectClient(lab: labB, id: t.OtherClientId, name: "client B");
        var atHomeB = t.Capture(labB.HomeNs, labB.HomeIf, "pppoed or pppoes");

        var a = t.Lab.Dial();
        var b = labB.Dial(servedBy: t.Lab);
        output.WriteLine($"A {a}\nB {b}");

        // Both up at once on the one AC, keyed by their own MAC and session id.
        Assert.NotEqual(a.ClientMac, b.ClientMac);
        Assert.NotEqual(a.SessionId, b.SessionId);
        var alive = NetnsLab.Run("/bin/bash", new[] { NetnsLab.LabScript, "sessions", t.Lab.Name }, TimeSpan.FromSeconds(10)).Stdout;
        Assert.Contains($" {a.SessionId} {a.ClientMac}", alive);
        Assert.Contains($" {b.SessionId} {b.ClientMac}", alive);
        server.WaitForLog($"session up: id {a.SessionId} client {a.ClientMac}", TimeSpan.FromSeconds(5));
        server.WaitForLog($"session up: id {b.SessionId} client {b.ClientMac}", TimeSpan.FromSeconds(5));

        // A few of the AC's 1 s echoes to A while B's LAN listens: none may leak to B.
        Thread.Sleep(3000);
        var seenByB = atHomeB.Frames();
        Assert.NotEmpty(seenByB); // B's own session is on this capture: it did work
        var leaked = seenByB.Where(f => f.Src == a.ClientMac || f.Dst == a.ClientMac
            || Regex.IsMatch(f.Line, $@"\[ses 0x{a.SessionId:x}\]")).ToList();
        Assert.True(leaked.Count == 0, "B's LAN saw A's frames:\n" + string.Join('\n', leaked.Select(f => f.Line)));

        // B's LAN forges A: LCP Echo-Requests marked 0xdeadbeef and a PADT for A's session.
        using var atAc = t.CaptureAtAc();
        var py = "from scapy.all import Ether, sendp, Raw\nfrom scapy.layers.ppp import PPPoE, PPPoED, PPP\n" +
                 $"e = Ether(src='{a.ClientMac}', dst='{a.AcMac}')\n" +
                 $"for i in range(5): sendp(e/PPPoE(sessionid={a.SessionId})/PPP(proto=0xc021)/Raw(bytes([9, 0x70 + i, 0, 8, 0xde, 0xad, 0xbe, 0xef])), iface='{labB.HomeIf}', verbose=False)\n" +
                 $"sendp(e/PPPoED(code=0xa7, sessionid={a.SessionId}), iface='{labB.HomeIf}', verbose=False)\n";
        var forged = labB.RunInHome(TimeSpan.FromSeconds(20), "/usr/bin/python3", "-c", py);
        Assert.True(forged.Ok, forged.ToString());

        // The server's per-tunnel stats (every 1 s) count them as spoofed.
        var stats = server.WaitForLog(@"SpoofedSource=([6-9]|\d\d)", TimeSpan.FromSeconds(6));
        output.WriteLine(stats);
        Thread.Sleep(500);
        Assert.False(atAc.Contains(new byte[] { 0xde, 0xad, 0xbe, 0xef }), "a forged echo reached the AC");
        var padts = atAc.Frames().Where(f => f.Line.Contains("PADT")).ToList();
        Assert.True(padts.Count == 0, "a PADT reached the AC:\n" + string.Join('\n', padts.Select(f => f.Line)));
        Assert.True(t.Lab.AcSessionProcessAlive(a.SessionId), "the forged PADT hung up A\n" + t.Diagnostics());
        Assert.True(t.Lab.AcSessionProcessAlive(b.SessionId), t.Diagnostics());
    }
}
