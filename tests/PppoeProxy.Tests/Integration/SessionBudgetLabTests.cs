using System.Diagnostics;
using PppoeProxy.Tests.Cli;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// --max-sessions with real rp-pppoe peers (issue 13 item 5): two sites tunnelled to one AC, a budget of one.
/// The second site's dial gets no offer and fails, with no PADT anywhere, while the first session keeps
/// echoing; once the first hangs up, the second dials.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class SessionBudgetLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [RootTheory]
    [InlineData("transparent")]
    [InlineData("rewrite")] // the FLET'S recipe's mode: the AC sees only the server's MAC
    public void TheBudgetRefusesTheNPlusFirstSessionWhileTheFirstNKeepWorking(string macMode)
    {
        using var t = new TunnelLab();
        var labB = t.AddLab(); // B's home LAN; its own AC side stays unused
        var serverSocket = Path.Combine(t.Dir, "server.sock");
        var server = t.StartServer(extra: new[] { "--status-socket", serverSocket, "--max-sessions", "1", "--mac-mode", macMode });
        t.ConnectClient(name: "client A");
        t.ConnectClient(lab: labB, id: t.OtherClientId, name: "client B");
        var bMac = labB.MacOf(labB.HomeNs, labB.HomeIf);
        // The MAC the AC knows a client by: its own, or the server's in rewrite mode.
        string? viaServer = macMode == "rewrite" ? File.ReadAllText($"/sys/class/net/{t.Lab.ServerSideIf}/address").Trim() : null;

        var a = t.Lab.Dial(acPeerMac: viaServer);
        output.WriteLine($"A {a}");
        var atAc = t.CaptureAtAc();
        var atHomeB = t.Capture(labB.HomeNs, labB.HomeIf, "pppoed or pppoes");

        // B: its PADIs are not forwarded, so no PADO, and lab.sh gives up after 15 s.
        var refused = Assert.Throws<InvalidOperationException>(() => labB.Dial(servedBy: t.Lab));
        Assert.Contains("no session within 15 s", refused.Message);
        var line = server.WaitForLog($"session budget 1 reached: PADI from {bMac} via tunnel .* not forwarded", Wait);
        output.WriteLine(line);
        long drops = TunnelMalformedFrameTests.Drops(serverSocket, "SessionBudget");
        output.WriteLine($"SessionBudget drops {drops}, log lines {server.CountLog("session budget")}");
        Assert.True(drops >= 1, $"SessionBudget drops {drops}\n{t.Diagnostics()}"); // rp-pppoe resends its PADI every few seconds
        Assert.InRange(server.CountLog("session budget"), 1, 16); // at most one a second

        var status = CliRunner.Run("status", "--socket", serverSocket);
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.Contains("sessions 1/1 (budget)", status.Out);

        // Meanwhile A kept working: the AC's 1 s echoes were answered through the tunnel all along.
        var acFrames = atAc.Frames();
        int fromA = acFrames.Count(f => f.Src == (viaServer ?? a.ClientMac) && f.Line.Contains($"[ses 0x{a.SessionId:x}]", StringComparison.Ordinal));
        output.WriteLine($"A's session frames at the AC while B was refused: {fromA}");
        Assert.True(fromA >= 10, $"only {fromA} frames of A's session reached the AC in 15 s\n{t.Diagnostics()}");
        Assert.True(t.Lab.AcSessionProcessAlive(a.SessionId), t.Diagnostics());
        // Refused means silence: B's PADIs never reached the AC (A, dialled, sent none), and nobody got a PADO or a PADT.
        Assert.DoesNotContain(acFrames, f => f.Src == bMac || f.Line.Contains("PADI", StringComparison.Ordinal));
        Assert.DoesNotContain(acFrames, f => f.Line.Contains("PADT", StringComparison.Ordinal));
        var homeB = atHomeB.Frames();
        Assert.Contains(homeB, f => f.Src == bMac && f.Line.Contains("PADI", StringComparison.Ordinal)); // B did try
        Assert.DoesNotContain(homeB, f => f.Line.Contains("PADO", StringComparison.Ordinal) || f.Line.Contains("PADT", StringComparison.Ordinal));

        // A hangs up (its pppoe's PADT frees the slot): B now dials through the same budget.
        t.Lab.HangUp();
        var b = labB.Dial(servedBy: t.Lab, acPeerMac: viaServer);
        output.WriteLine($"B {b}");
        Assert.NotEqual(0, b.SessionId);
        server.WaitForLog($"session up: id {b.SessionId} client {bMac}", Wait);
        Assert.True(NetnsLab.WaitUntil(() => CliRunner.Run("status", "--socket", serverSocket).Out.Contains("sessions 1/1 (budget)"), Wait),
            CliRunner.Run("status", "--socket", serverSocket).Out);
    }

    /// <summary>
    /// The FLET'S case the budget must not make worse: the site's router restarts without a PADT, and its ghost
    /// fills the budget. The ghost guard ends the ghost and the redial gets its slot, with the guard at both ends
    /// (the client's acts first) or at the server only (it holds the PADI the budget would have refused).
    /// </summary>
    [RootTheory]
    [InlineData("both ends")]
    [InlineData("server only")]
    public void ARestartedClientsOwnGhostDoesNotLockItOutOfAFullBudget(string guarded)
    {
        using var t = new TunnelLab(onePerMac: true);
        var serverSocket = Path.Combine(t.Dir, "server.sock");
        var server = t.StartServer(extra: new[] { "--status-socket", serverSocket, "--max-sessions", "1" });
        t.ConnectClient(extra: guarded == "server only" ? new[] { "--ghost-guard", "off" } : Array.Empty<string>());
        var first = t.Lab.Dial();
        // The guard judges only sessions it heard the client speak on: wait for a couple of echo replies.
        Assert.True(NetnsLab.WaitUntil(() => HomeEchoReplies(t.Lab) >= 2, TimeSpan.FromSeconds(10)), t.Diagnostics());

        t.Lab.MakeGhost();
        var clock = Stopwatch.StartNew();
        var second = t.Lab.Dial();
        var took = clock.Elapsed;
        output.WriteLine($"new session {second.SessionId} up {took.TotalSeconds:0.00} s after the SIGKILL (ghost {first.SessionId}), guard at {guarded}");

        Assert.True(took < TimeSpan.FromSeconds(5), $"redial took {took.TotalSeconds:0.0} s\n{t.Diagnostics()}");
        Assert.Equal(new[] { second.SessionId }, GhostGuardProxyLabTests.AcSessionsOf(t.Lab, first.ClientMac));
        Assert.Equal(0, server.CountLog("session budget")); // held for the guard, never refused
        Assert.Equal(0, TunnelMalformedFrameTests.Drops(serverSocket, "SessionBudget"));
        Assert.True(NetnsLab.WaitUntil(() => CliRunner.Run("status", "--socket", serverSocket).Out.Contains("sessions 1/1 (budget)"), Wait),
            CliRunner.Run("status", "--socket", serverSocket).Out);
    }

    /// <summary>Echo replies the home client's peer script has logged in all its runs.</summary>
    private static int HomeEchoReplies(NetnsLab lab) =>
        Directory.GetFiles(lab.StateDir, "client-*.log").Sum(f => File.ReadLines(f).Count(l => l.Contains("LCP RX Echo-Req")));
}
