using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Issue 13, items 1 and 5: the ghost guard in the proxy, with real rp-pppoe peers. The AC (pppoe-server
/// -x 1) ignores a PADI from a MAC that still holds a session, as ISPs refuse while a ghost lives; the
/// home client is SIGKILLed (no PADT) and dialled again at once.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class GhostGuardProxyLabTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData("both ends")]
    [InlineData("server only")]
    [InlineData("client only")]
    public void ARestartedClientGetsANewSessionWithinFiveSecondsAndTheAcHoldsOnlyIt(string guarded)
    {
        using var t = new TunnelLab(onePerMac: true);
        string[] Off(bool off) => off ? new[] { "--ghost-guard", "off" } : Array.Empty<string>();
        var server = t.StartServer(extra: Off(guarded == "client only"));
        var client = t.ConnectClient(extra: Off(guarded == "server only"));
        var first = t.Lab.Dial();
        Assert.True(Wait(() => HomeEchoReplies(t.Lab) >= 2, TimeSpan.FromSeconds(10)), t.Diagnostics());

        t.Lab.MakeGhost();
        var clock = Stopwatch.StartNew();
        var second = t.Lab.Dial();
        var took = clock.Elapsed;
        output.WriteLine($"new session {second.SessionId} up {took.TotalSeconds:0.00} s after the SIGKILL (old one {first.SessionId})");

        Assert.True(took < TimeSpan.FromSeconds(5), $"redial took {took.TotalSeconds:0.0} s\n{t.Diagnostics()}");
        Assert.NotEqual(first.SessionId, second.SessionId);
        Assert.Equal(new[] { second.SessionId }, AcSessionsOf(t.Lab, first.ClientMac));
        var guard = guarded == "server only" ? server : client; // with both on, the client end acts first
        var line = guard.WaitForLog($"ghost guard: PADT sent to AC {first.AcMac} for session {first.SessionId} of client {first.ClientMac}", TimeSpan.FromSeconds(5));
        Assert.Contains("went unanswered", line);
        // One PADT for one ghost: the server's guard saw the client's PADT and had nothing left to judge.
        Assert.Equal(1, client.CountLog("ghost guard: PADT sent") + server.CountLog("ghost guard: PADT sent"));
    }

    [RootFact]
    public void WithoutTheGuardTheAcRefusesTheRestartedClient()
    {
        using var t = new TunnelLab(onePerMac: true);
        t.StartServer(extra: new[] { "--ghost-guard", "off" });
        t.ConnectClient(extra: new[] { "--ghost-guard", "off" });
        var first = t.Lab.Dial();
        Assert.True(Wait(() => HomeEchoReplies(t.Lab) >= 2, TimeSpan.FromSeconds(10)), t.Diagnostics());

        t.Lab.MakeGhost();
        var clock = Stopwatch.StartNew();
        var refused = Assert.Throws<InvalidOperationException>(() => t.Lab.Dial());
        output.WriteLine($"no session after {clock.Elapsed.TotalSeconds:0.0} s: {refused.Message.Split('\n')[0]}");
        // The ghost is still all the AC holds for that MAC.
        Assert.Equal(new[] { first.SessionId }, AcSessionsOf(t.Lab, first.ClientMac));
    }

    [RootFact]
    public void ALiveSessionWhoseClientSendsAnotherPadiIsNeverEnded()
    {
        using var t = new TunnelLab(onePerMac: true);
        var server = t.StartServer();
        var client = t.ConnectClient();
        var s = t.Lab.Dial();
        var padt = t.CaptureAtAc();
        var end = Stopwatch.StartNew();
        int padis = 0;
        while (end.Elapsed < TimeSpan.FromSeconds(20))
        {
            // The same client asks for a second service now and then (pppd's second link, a router's probe).
            SendPadiFromHome(t.Lab, s.ClientMac, "second-service");
            padis++;
            Thread.Sleep(3000);
        }
        Assert.True(t.Lab.AcSessionProcessAlive(s.SessionId), "the live session was ended\n" + t.Diagnostics());
        Assert.Equal(0, client.CountLog("ghost guard: PADT") + server.CountLog("ghost guard: PADT"));
        Assert.DoesNotContain(padt.Lines(), l => l.Contains("PADT"));
        Assert.True(client.HasLog($"client {s.ClientMac} answers on session {s.SessionId}"), client.ToString());
        output.WriteLine($"{padis} PADIs from the live client over 20 s: no PADT");
    }

    [RootFact]
    public void APadiFloodEndsNothingAndCostsLittle()
    {
        using var t = new TunnelLab(onePerMac: true);
        var server = t.StartServer();
        var client = t.ConnectClient();
        var s = t.Lab.Dial();
        var padt = t.CaptureAtAc();
        long rssBefore = Status(client.Pid, "VmRSS:"), threadsBefore = Status(client.Pid, "Threads:");
        int echoesBefore = HomeEchoReplies(t.Lab);
        // 3,000 PADIs from 1,000 MACs without sessions, then 1,000 spoofing the live client's MAC.
        var py = "import random\nfrom scapy.all import Ether, PPPoED, PPPoETag, sendp\n" +
                 "macs = ['02:%02x:%02x:%02x:%02x:%02x' % tuple(random.randrange(256) for _ in range(5)) for _ in range(1000)]\n" +
                 "tag = PPPoETag(tag_type=0x0101, tag_value=b'')\n" +
                 "frames = [Ether(src=m, dst='ff:ff:ff:ff:ff:ff')/PPPoED(code=0x09)/tag for m in macs * 3]\n" +
                 $"frames += [Ether(src='{s.ClientMac}', dst='ff:ff:ff:ff:ff:ff')/PPPoED(code=0x09)/tag] * 1000\n" +
                 $"sendp(frames, iface='{t.Lab.HomeIf}', verbose=False)";
        var r = t.Lab.RunInHome(TimeSpan.FromSeconds(120), "/usr/bin/python3", "-c", py);
        Assert.True(r.Ok, r.ToString());
        Thread.Sleep(3000);

        Assert.True(t.Lab.AcSessionProcessAlive(s.SessionId), "the live session was ended\n" + t.Diagnostics());
        Assert.True(HomeEchoReplies(t.Lab) > echoesBefore, "the session stopped carrying echoes");
        Assert.DoesNotContain(padt.Lines(), l => l.Contains("PADT"));
        Assert.True(client.HasLog($"client {s.ClientMac} answers on session {s.SessionId}"), client.ToString());
        // The live client was asked once (its answer holds for 30 s); no line per PADI.
        Assert.True(client.CountLog("ghost guard") <= 2, client.ToString());
        Assert.True(server.CountLog("ghost guard") <= 2, server.ToString());
        long rssAfter = Status(client.Pid, "VmRSS:"), threadsAfter = Status(client.Pid, "Threads:");
        output.WriteLine($"client RSS {rssBefore / 1024} -> {rssAfter / 1024} MiB, threads {threadsBefore} -> {threadsAfter}");
        Assert.True(rssAfter - rssBefore < 30 * 1024, $"RSS grew {(rssAfter - rssBefore) / 1024} MiB");
        Assert.True(threadsAfter <= threadsBefore + 2, $"threads {threadsBefore} -> {threadsAfter}");
    }

    private static long Status(int pid, string field) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal))
            .Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries)[1]);

    private static void SendPadiFromHome(NetnsLab lab, string mac, string service)
    {
        var py = "from scapy.all import Ether, PPPoED, PPPoETag, sendp\n" +
                 $"sendp(Ether(src='{mac}', dst='ff:ff:ff:ff:ff:ff')/PPPoED(code=0x09, sessionid=0)/PPPoETag(tag_type=0x0101, tag_value=b'{service}'), " +
                 $"iface='{lab.HomeIf}', verbose=False)";
        var r = lab.RunInHome(TimeSpan.FromSeconds(15), "/usr/bin/python3", "-c", py);
        Assert.True(r.Ok, r.ToString());
    }

    /// <summary>Session ids pppoe-server runs for a client MAC (its live per-session processes).</summary>
    internal static ushort[] AcSessionsOf(NetnsLab lab, string clientMac)
    {
        var r = NetnsLab.Run(NetnsLab.LabScript, new[] { "sessions", lab.Name }, TimeSpan.FromSeconds(10));
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 3 && f[2].Equals(clientMac, StringComparison.OrdinalIgnoreCase))
            .Select(f => ushort.Parse(f[1])).OrderBy(id => id).ToArray();
    }

    /// <summary>Echo replies the home client's peer script has logged in all its runs.</summary>
    private static int HomeEchoReplies(NetnsLab lab) =>
        Directory.GetFiles(lab.StateDir, "client-*.log").Sum(f => File.ReadLines(f).Count(l => l.Contains("LCP RX Echo-Req")));

    private static bool Wait(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition()) return true;
            Thread.Sleep(100);
        }
        return condition();
    }
}
