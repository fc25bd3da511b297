using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// What happens to a live session when an end of the tunnel dies or stops: a crash is held for
/// the grace period (and resumed by the same certificate), a stop hangs up both ways, and an
/// expired hold is hung up at the AC so no ghost is left.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class TunnelLifecycleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(10);

    private static string HomeLog(NetnsLab lab) =>
        File.Exists(Path.Combine(lab.StateDir, "client-1.log")) ? File.ReadAllText(Path.Combine(lab.StateDir, "client-1.log")) : "";

    /// <summary>LCP Echo-Requests from the AC that reached the home client (it logs each one it answers).</summary>
    private static int EchoesAtHome(NetnsLab lab) => Regex.Matches(HomeLog(lab), "LCP RX Echo-Req").Count;

    [RootFact]
    public void ClientKilledAndRestartedWithinGraceResumesTheSession()
    {
        using var t = new TunnelLab { Grace = 5 };
        var server = t.StartServer();
        var client = t.ConnectClient();
        var s = t.Lab.Dial();
        Assert.True(LabWait(() => EchoesAtHome(t.Lab) >= 1), t.Diagnostics());

        client.Kill();
        var sinceKill = Stopwatch.StartNew();
        server.WaitForLog($"holding the sessions of {s.ClientMac} for 5 s", LogWait);
        var again = t.ConnectClient(name: "client (restarted)");
        server.WaitForLog($"resumed the held sessions of {s.ClientMac}", LogWait);
        int echoesAtResume = EchoesAtHome(t.Lab);
        output.WriteLine($"resumed {sinceKill.Elapsed.TotalSeconds:0.0} s after the kill; {echoesAtResume} echoes so far");
        Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(5), "the restart itself took longer than the grace period");

        // Past the grace period since the kill: nothing expired and the AC's echoes flow again.
        Thread.Sleep(TimeSpan.FromSeconds(5) - sinceKill.Elapsed + TimeSpan.FromSeconds(1.5));
        Assert.True(t.Lab.AcSessionProcessAlive(s.SessionId), "the AC session ended\n" + t.Diagnostics());
        Assert.False(server.HasLog("grace period over"), server.ToString());
        Assert.True(LabWait(() => EchoesAtHome(t.Lab) >= echoesAtResume + 2), "no AC echoes reached the home client after the resume\n" + t.Diagnostics());
        Assert.DoesNotContain("EXIT", HomeLog(t.Lab));
        Assert.False(again.HasExited);
    }

    [RootFact]
    public void ClientKilledAndLeftDownGetsItsSessionHungUpAtTheAcAfterGrace()
    {
        using var t = new TunnelLab { Grace = 3 };
        var server = t.StartServer();
        var client = t.ConnectClient();
        var s = t.Lab.Dial();

        client.Kill();
        var sinceKill = Stopwatch.StartNew();
        server.WaitForLog($"holding the sessions of {s.ClientMac}", LogWait);
        server.WaitForLog($"PADT sent to AC {s.AcMac} for session {s.SessionId} of {s.ClientMac} \\(grace period over\\)", LogWait);
        output.WriteLine($"PADT {sinceKill.Elapsed.TotalSeconds:0.0} s after the kill");
        Assert.True(sinceKill.Elapsed >= TimeSpan.FromSeconds(2.5), "PADT before the grace period was over");
        Assert.True(LabWait(() => !t.Lab.AcSessionProcessAlive(s.SessionId)), "pppoe-server kept the session\n" + t.Diagnostics());
        Assert.Empty(t.Lab.AliveAcSessions()); // no ghost
        Assert.Contains("EXIT reason=signal 15", t.Lab.Logs()); // pppoe-server ended it on our PADT
    }

    [RootFact]
    public void ClientSigtermSendsPadtBothWays()
    {
        using var t = new TunnelLab();
        t.StartServer();
        var client = t.ConnectClient();
        var s = t.Lab.Dial();

        Assert.True(client.Stop(), "client did not stop within 10 s\n" + client);
        Assert.True(client.ExitCode == 0, $"graceful stop must exit 0\n{client}");
        Assert.True(client.HasLog($"PADT sent to AC {s.AcMac} for session {s.SessionId} \\(client stopping\\)"), client.ToString());
        // The LAN's PADT is either ours ("PADT sent to LAN client") or, when the AC's answer to our
        // PADT wins the race back through the tunnel (seen under load), the AC's own, relayed. The
        // home client's exit below is what matters; either way the session is over in the client.
        Assert.True(client.HasLog($"PADT sent to LAN client {s.ClientMac} for session {s.SessionId}")
                    || client.HasLog($"session {s.SessionId} {s.ClientMac} <-> {s.AcMac} Terminated"), client.ToString());
        Assert.True(LabWait(() => !t.Lab.AcSessionProcessAlive(s.SessionId)), "AC session still alive\n" + t.Diagnostics());
        // The home rp-pppoe client saw a PADT: its pppoe exited by itself (not by a signal from the lab).
        Assert.True(LabWait(() => HomeLog(t.Lab).Contains("EXIT reason=child-exit")), "home client did not get a PADT\n" + t.Diagnostics());
    }

    [RootFact]
    public void ServerSigtermSendsPadtBothWays()
    {
        using var t = new TunnelLab();
        var server = t.StartServer();
        var client = t.ConnectClient();
        var s = t.Lab.Dial();

        Assert.True(server.Stop(), "server did not stop within 10 s\n" + server);
        Assert.True(server.ExitCode == 0, $"graceful stop must exit 0\n{server}");
        Assert.True(server.HasLog($"PADT sent to AC {s.AcMac} for session {s.SessionId} of {s.ClientMac} \\(server stopping\\)"), server.ToString());
        Assert.True(LabWait(() => !t.Lab.AcSessionProcessAlive(s.SessionId)), "AC session still alive\n" + t.Diagnostics());
        Assert.True(LabWait(() => HomeLog(t.Lab).Contains("EXIT reason=child-exit")), "home client did not get a PADT\n" + t.Diagnostics());
        client.WaitForLog("tunnel to .* lost", LogWait);
    }

    private static bool LabWait(Func<bool> condition) => NetnsLab.WaitUntil(condition, TimeSpan.FromSeconds(8));
}
