using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Issue 13 item 2: `pppoeproxy guard`, the standalone watcher, with real rp-pppoe peers. The lab's home
/// and AC are joined by a root-namespace bridge (lab.sh --bridge), the segment a Linux router bridging its
/// LAN and the ONU would be; the watcher captures and injects on that bridge. The AC (pppoe-server -x 1)
/// ignores a PADI from a MAC that still holds a session, and rp-pppoe's client retries its PADI only every
/// 5 s, so a redial within 5 s proves the ghost was ended at once.
/// </summary>
public sealed class GuardWatcherLabTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ppx-guard-").FullName;
    private readonly List<IDisposable> _owned = new();

    [RootTheory]
    [InlineData(null)]
    [InlineData(35)]
    public void WithTheWatcherARestartedClientGetsANewSessionWithinFiveSeconds(int? vlan)
    {
        var lab = Own(NetnsLab.Start(onePerMac: true, bridge: true, vlan: vlan));
        var socket = Path.Combine(_dir, "guard.sock");
        var guard = StartGuard(lab, "--status-socket", socket);
        var first = lab.Dial();

        var (second, seconds, result) = lab.Redial(timeoutSeconds: 5);
        output.WriteLine($"VLAN {vlan?.ToString() ?? "none"}: new session {second?.SessionId} {seconds:0.00} s after the SIGKILL (old one {first.SessionId})");

        Assert.True(second is not null, $"no new session within 5 s: {result}\n{guard}\n{lab.Logs()}");
        Assert.True(seconds < 5, $"redial took {seconds:0.00} s");
        Assert.NotEqual(first.SessionId, second!.SessionId);
        Assert.Equal(new[] { second.SessionId }, GhostGuardProxyLabTests.AcSessionsOf(lab, first.ClientMac));
        var line = guard.WaitForLog($"ghost guard: PADT sent to AC {first.AcMac} for session {first.SessionId} of client {first.ClientMac}", TimeSpan.FromSeconds(2));
        Assert.Contains("went unanswered", line);
        if (vlan is int id) Assert.Contains($"VLAN {id}", line);
        Assert.Equal(1, guard.CountLog("ghost guard: PADT sent"));
        // `pppoeproxy status` reads what the watcher did without stopping it.
        var status = PppoeProxy.Tests.Cli.CliRunner.Run("status", "--socket", socket);
        Assert.Contains($"guard on {lab.BridgeIf}, watching", status.Out);
        Assert.Contains("1 ghost(s) ended", status.Out);
    }

    [RootFact]
    public void WithoutTheWatcherTheAcRefusesTheRestartedClientForFiveSeconds()
    {
        var lab = Own(NetnsLab.Start(onePerMac: true, bridge: true));
        var first = lab.Dial();

        var (second, seconds, result) = lab.Redial(timeoutSeconds: 5);
        output.WriteLine($"no watcher: {(second is null ? "no session" : $"session {second.SessionId}")} after {seconds:0.0} s");

        Assert.True(second is null, $"the AC gave a new session with the ghost alive: {result}");
        Assert.Contains("redial: no new session within 5 s", result.Stderr);
        Assert.Equal(new[] { first.SessionId }, GhostGuardProxyLabTests.AcSessionsOf(lab, first.ClientMac));
    }

    [RootFact]
    public void ADryRunSaysWhatItWouldSendAndSendsNoPadt()
    {
        var lab = Own(NetnsLab.Start(onePerMac: true, bridge: true));
        var guard = StartGuard(lab, "--dry-run");
        var first = lab.Dial();
        var atAc = Own(PacketCapture.Start(lab.AcNs, lab.AcIf, "pppoed", _dir));

        var (second, _, result) = lab.Redial(timeoutSeconds: 5);

        Assert.True(second is null, $"a dry run let the client in, so something ended the ghost: {result}\n{guard}");
        var line = guard.WaitForLog($"would send PADT to AC {first.AcMac} for session {first.SessionId} of client {first.ClientMac}", TimeSpan.FromSeconds(2));
        output.WriteLine(line);
        Assert.Equal(0, guard.CountLog("PADT sent"));
        Assert.DoesNotContain(atAc.Lines(), l => l.Contains("PADT"));
        Assert.Equal(new[] { first.SessionId }, GhostGuardProxyLabTests.AcSessionsOf(lab, first.ClientMac));
    }

    [RootFact]
    public void ALiveClientThatSendsAnotherPadiKeepsItsSessionOverTwentySeconds()
    {
        var lab = Own(NetnsLab.Start(onePerMac: true, bridge: true));
        var guard = StartGuard(lab);
        var s = lab.Dial(echo: 1); // echoes both ways: the AC's every second, and the client's own
        var atAc = Own(PacketCapture.Start(lab.AcNs, lab.AcIf, "pppoed", _dir));

        int padis = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            // The same client asks for a second service now and then, from its own MAC.
            var py = "from scapy.all import Ether, PPPoED, PPPoETag, sendp\n" +
                     $"sendp(Ether(src='{s.ClientMac}', dst='ff:ff:ff:ff:ff:ff')/PPPoED(code=0x09, sessionid=0)/PPPoETag(tag_type=0x0101, tag_value=b'second-service'), " +
                     $"iface='{lab.HomeIf}', verbose=False)";
            var r = lab.RunInHome(TimeSpan.FromSeconds(15), "/usr/bin/python3", "-c", py);
            Assert.True(r.Ok, r.ToString());
            padis++;
            Thread.Sleep(3000);
        }

        Assert.True(lab.AcSessionProcessAlive(s.SessionId), $"the live session was ended\n{guard}\n{lab.Logs()}");
        Assert.Equal(0, guard.CountLog("PADT sent"));
        Assert.DoesNotContain(atAc.Lines(), l => l.Contains("PADT"));
        Assert.True(guard.HasLog($"client {s.ClientMac} answers on session {s.SessionId}"), guard.ToString());
        output.WriteLine($"{padis} PADIs from the live client over 20 s: no PADT");
    }

    [RootFact]
    public void OnTheClientsOwnHostItEndsAGhostOnlyOnTheAcsUnansweredEchoes()
    {
        // The watcher beside pppd (a direct lab, run in the home namespace): its probes would leave the host
        // and never reach the local client, so it sends none, and the silence of a client nobody asked ends nothing.
        var lab = Own(NetnsLab.Start(onePerMac: true));
        var guard = Own(ProxyProcess.Start("guard in home", "ip", new[] { "netns", "exec", lab.HomeNs, "dotnet", RepoPaths.CliDll,
            "guard", "--interface", lab.HomeIf, "--status-socket", "none" }));
        guard.WaitForLog($"guard on {lab.HomeIf}", TimeSpan.FromSeconds(20));
        var first = lab.Dial();

        var (second, seconds, result) = lab.Redial(timeoutSeconds: 12);
        output.WriteLine($"client's own host: new session {second?.SessionId} {seconds:0.00} s after the SIGKILL");

        Assert.True(second is not null, $"no new session: {result}\n{guard}");
        Assert.True(guard.HasLog($"no PADT for session {first.SessionId} of {first.ClientMac}: no probe could reach the client"), guard.ToString());
        var line = guard.WaitForLog($"ghost guard: PADT sent to AC {first.AcMac} for session {first.SessionId}", TimeSpan.FromSeconds(2));
        Assert.Contains("the AC's last", line); // the client's 5 s PADI retry, with the AC's echoes unanswered since
        Assert.Equal(0, guard.CountLog("probe\\(s\\) went unanswered"));
        Assert.Equal(new[] { second!.SessionId }, GhostGuardProxyLabTests.AcSessionsOf(lab, first.ClientMac));
    }

    [RootFact]
    public void APadiFloodEndsNothingAndCostsLittle()
    {
        var lab = Own(NetnsLab.Start(onePerMac: true, bridge: true));
        var guard = StartGuard(lab);
        var s = lab.Dial(echo: 1);
        var atAc = Own(PacketCapture.Start(lab.AcNs, lab.AcIf, "pppoed", _dir));
        Thread.Sleep(2000); // both sides heard on the session: the watcher may judge it
        long rssBefore = Status(guard.Pid, "VmRSS:"), threadsBefore = Status(guard.Pid, "Threads:");
        // 3,000 PADIs from 1,000 MACs without sessions, then 1,000 spoofing the live client's MAC, all through the bridge.
        var py = "import random\nfrom scapy.all import Ether, PPPoED, PPPoETag, sendp\n" +
                 "macs = ['02:%02x:%02x:%02x:%02x:%02x' % tuple(random.randrange(256) for _ in range(5)) for _ in range(1000)]\n" +
                 "tag = PPPoETag(tag_type=0x0101, tag_value=b'')\n" +
                 "frames = [Ether(src=m, dst='ff:ff:ff:ff:ff:ff')/PPPoED(code=0x09)/tag for m in macs * 3]\n" +
                 $"frames += [Ether(src='{s.ClientMac}', dst='ff:ff:ff:ff:ff:ff')/PPPoED(code=0x09)/tag] * 1000\n" +
                 $"sendp(frames, iface='{lab.HomeIf}', verbose=False)";
        var r = lab.RunInHome(TimeSpan.FromSeconds(120), "/usr/bin/python3", "-c", py);
        Assert.True(r.Ok, r.ToString());
        Thread.Sleep(3000);

        Assert.True(lab.AcSessionProcessAlive(s.SessionId), $"the live session was ended\n{guard}\n{lab.Logs()}");
        Assert.DoesNotContain(atAc.Lines(), l => l.Contains("PADT"));
        Assert.Equal(0, guard.CountLog("PADT sent"));
        // The live client was asked once (its answer holds for 30 s); no line per PADI.
        Assert.True(guard.HasLog($"client {s.ClientMac} answers on session {s.SessionId}"), guard.ToString());
        Assert.True(guard.CountLog("ghost guard") <= 2, guard.ToString());
        long rssAfter = Status(guard.Pid, "VmRSS:"), threadsAfter = Status(guard.Pid, "Threads:");
        output.WriteLine($"watcher RSS {rssBefore / 1024} -> {rssAfter / 1024} MiB, threads {threadsBefore} -> {threadsAfter}");
        Assert.True(rssAfter - rssBefore < 30 * 1024, $"RSS grew {(rssAfter - rssBefore) / 1024} MiB");
        Assert.True(threadsAfter <= threadsBefore + 2, $"threads {threadsBefore} -> {threadsAfter}");
    }

    private static long Status(int pid, string field) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal))
            .Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries)[1]);

    private ProxyProcess StartGuard(NetnsLab lab, params string[] extra)
    {
        if (!extra.Contains("--status-socket")) extra = extra.Concat(new[] { "--status-socket", "none" }).ToArray();
        var guard = Own(ProxyProcess.Cli("guard", new[] { "guard", "--interface", lab.BridgeIf }.Concat(extra).ToArray()));
        guard.WaitForLog($"guard on {lab.BridgeIf}", TimeSpan.FromSeconds(20));
        return guard;
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    public void Dispose()
    {
        // The processes first, then the labs they watch.
        foreach (var item in _owned.AsEnumerable().Reverse()) item.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
