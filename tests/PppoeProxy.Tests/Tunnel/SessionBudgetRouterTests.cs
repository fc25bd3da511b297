using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Limits;
using PppoeProxy.Tests.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// --max-sessions without sockets: sessions at the AC over all tunnels, discoveries in flight included, never
/// past the budget; a refused PADI is only dropped (counted, one log line); ended sessions free their slot at once.
/// </summary>
public class SessionBudgetRouterTests
{
    private static readonly MacAddress Ac = MacAddress.Parse("00:1b:21:aa:00:01");
    private static readonly MacAddress Ours = MacAddress.Parse("02:00:00:00:ee:01");

    private static MacAddress Mac(int tunnel, int n) => new(0x0200_0000_0000UL | ((ulong)tunnel << 16) | (uint)n);
    private static TunnelLink Link(string name) =>
        new(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), name, null, NullLogger.Instance);

    private static ServerRouter Router(int budget, MacMode mode = MacMode.Transparent, RecordingLogger? log = null, SessionBudget? with = null)
    {
        Microsoft.Extensions.Logging.ILogger logger = log is null ? NullLogger.Instance : log;
        return new(mode, Ours, "wan0", new SessionTracker(), logger, limitedLog: new RateLimitedLog(logger))
        { Budget = with ?? new SessionBudget(budget) };
    }

    internal static byte[] Disc(PppoeCode code, MacAddress from, MacAddress to, ushort sid, MacAddress? relayFor = null)
    {
        var tags = new List<PppoeTag> { new(PppoeTagType.ServiceName, "") };
        if (relayFor is { } client)
        {
            // The AC echoes the Relay-Session-Id rewrite mode added: "PX" and the client's MAC.
            var value = new byte[8];
            "PX"u8.CopyTo(value);
            client.Write(value.AsSpan(2));
            tags.Add(new PppoeTag((ushort)PppoeTagType.RelaySessionId, value));
        }
        return PppoeFrame.Discovery(code, from, to, sid, tags).ToBytes();
    }

    internal static byte[] Padi(MacAddress from) => Disc(PppoeCode.PADI, from, MacAddress.Broadcast, 0);
    private static byte[] Echo(MacAddress from, MacAddress to, ushort sid) =>
        PppoeFrame.Session(from, to, sid, new byte[] { 0xc0, 0x21, 9, 1, 0, 8, 0, 0, 0, 1 }).ToBytes();

    private static bool FromTunnel(ServerRouter router, TunnelLink link, byte[] frame) =>
        router.RouteFromTunnel(link, FrameView.Parse(frame), DateTimeOffset.UtcNow, new byte[2048], out _) > 0;

    private static TunnelLink? FromAc(ServerRouter router, byte[] frame) =>
        router.RouteFromAc(frame, DateTimeOffset.UtcNow, new byte[2048], out _);

    /// <summary>The whole discovery of one client through its tunnel; the AC answers to our MAC in rewrite mode.</summary>
    private static void Dial(ServerRouter router, TunnelLink link, MacAddress client, ushort sid)
    {
        bool rewrite = router.Mode == MacMode.Rewrite;
        var to = rewrite ? Ours : client;
        MacAddress? relay = rewrite ? client : null;
        Assert.True(FromTunnel(router, link, Padi(client)), "PADI refused");
        Assert.Same(link, FromAc(router, Disc(PppoeCode.PADO, Ac, to, 0, relay)));
        Assert.True(FromTunnel(router, link, Disc(PppoeCode.PADR, client, Ac, 0)), "PADR refused");
        Assert.Same(link, FromAc(router, Disc(PppoeCode.PADS, Ac, to, sid, relay)));
    }

    [Fact]
    public void APadiFloodFromOneTunnelOpensNoMoreThanTheBudget()
    {
        var router = Router(2);
        var a = Link("A");
        int forwarded = Enumerable.Range(0, 100).Count(i => FromTunnel(router, a, Padi(Mac(1, i))));
        Assert.Equal(2, forwarded);
        Assert.Equal(98, a.Counters.Drops(DropReason.SessionBudget));
        Assert.Equal(0, a.Counters.Drops(DropReason.SessionLimit));
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 0))));  // a retry of an admitted discovery shares its slot
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 1), Ac, 0))); // so does its PADR
        Assert.False(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 50), Ac, 0))); // a PADR with no slot needs one
        Assert.Equal(new SessionBudgetStatus(2, 0, 2), router.Budget!.Status());
    }

    [Theory]
    [InlineData(MacMode.Transparent)]
    [InlineData(MacMode.Rewrite)]
    public void TheBudgetSpansTunnelsAndAPadtEitherWayFreesTheSlotAtOnce(MacMode mode)
    {
        var router = Router(2, mode);
        var a = Link("A");
        var b = Link("B");
        Dial(router, a, Mac(1, 1), 7);
        Dial(router, b, Mac(2, 1), 8);
        Assert.Equal(new SessionBudgetStatus(2, 2, 0), router.Budget!.Status());
        Assert.False(FromTunnel(router, b, Padi(Mac(2, 2))));
        Assert.False(FromTunnel(router, a, Padi(Mac(1, 2))));
        // The sessions keep working while the budget is full.
        Assert.True(FromTunnel(router, a, Echo(Mac(1, 1), Ac, 7)));

        // A hangs up (its client's PADT): the slot is free for B's next dial, before any sweep.
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADT, Mac(1, 1), Ac, 7)));
        Dial(router, b, Mac(2, 2), 9);
        Assert.False(FromTunnel(router, a, Padi(Mac(1, 3))));
        // The AC ends B's first session: A may dial again.
        var toB = mode == MacMode.Rewrite ? Ours : Mac(2, 1);
        Assert.Same(b, FromAc(router, Disc(PppoeCode.PADT, Ac, toB, 8)));
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 3))));
        Assert.Equal(2, a.Counters.Drops(DropReason.SessionBudget));
        Assert.Equal(1, b.Counters.Drops(DropReason.SessionBudget));
    }

    [Fact]
    public void AClientsOwnRedialAfterItsSessionEndedWorksAtAFullBudget()
    {
        var router = Router(1);
        var a = Link("A");
        Dial(router, a, Mac(1, 1), 7);
        Assert.False(FromTunnel(router, a, Padi(Mac(1, 1)))); // its live session holds the only slot
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADT, Mac(1, 1), Ac, 7)));
        Dial(router, a, Mac(1, 1), 8);
        Assert.Equal(new SessionBudgetStatus(1, 1, 0), router.Budget!.Status());
    }

    [Fact]
    public void ASessionTheServerEndsOrTheTrackerLetsGoFreesItsSlot()
    {
        var router = Router(1);
        var a = Link("A");
        Dial(router, a, Mac(1, 1), 7);
        var session = router.LiveSessionsOf(Mac(1, 1)).Single();
        router.Ended(session); // our own PADT (hold expired, server stopping)
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 2))));
        Assert.Same(a, FromAc(router, Disc(PppoeCode.PADO, Ac, Mac(1, 2), 0)));
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 2), Ac, 0)));
        Assert.Same(a, FromAc(router, Disc(PppoeCode.PADS, Ac, Mac(1, 2), 9)));
        // Ended without a PADT we saw (evicted, swept): the next budget sweep recounts from the tracker.
        router.Tracker.MarkTerminated(router.LiveSessionsOf(Mac(1, 2)).Single());
        Assert.False(FromTunnel(router, a, Padi(Mac(1, 3))));
        router.SweepBudget();
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 3))));
    }

    [Fact]
    public void ASilentDiscoveryGivesItsSlotBackAfterTheDiscoveryTimeout()
    {
        long now = 1_000_000;
        var budget = new SessionBudget(1, () => now);
        var router = Router(1, with: budget);
        var a = Link("A");
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 1))));
        // As far as its PADR (one that stops at the PADI leaves sooner: SessionBudgetPadiOnlyTests).
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 1), Ac, 0)));
        Assert.False(FromTunnel(router, a, Padi(Mac(1, 2))));
        now += (long)SessionTracker.DiscoveryTimeout.TotalMilliseconds - 1;
        router.SweepBudget();
        Assert.False(FromTunnel(router, a, Padi(Mac(1, 2))));
        now += 1;
        router.SweepBudget();
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 2))));
    }

    [Fact]
    public void ASecondPadrBeforeThePadsNeedsASlotOfItsOwn()
    {
        long now = 1_000_000;
        var router = Router(2, with: new SessionBudget(2, () => now));
        var a = Link("A");
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 1))));
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 1), Ac, 0)));
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 1), Ac, 0)));  // the second slot
        Assert.False(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 1), Ac, 0))); // an ACs answering each would pass 2
        Assert.False(FromTunnel(router, a, Padi(Mac(1, 2))));
        // A resend after PadrWait (the AC did not answer) is the same discovery again.
        now += (long)SessionBudget.PadrWait.TotalMilliseconds;
        router.SweepBudget();
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 1), Ac, 0)));
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 2))));
    }

    [Fact]
    public void ExtraPadrSlotsComeBackWhenTheClientResendsAfterPadrWaitBeforeAnySweep()
    {
        long now = 1_000_000;
        var router = Router(2, with: new SessionBudget(2, () => now));
        var a = Link("A");
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 1))));
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 1), Ac, 0)));
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 1), Ac, 0))); // an extra slot
        Assert.Equal(new SessionBudgetStatus(2, 0, 2), router.Budget!.Status());
        now += (long)SessionBudget.PadrWait.TotalMilliseconds;
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 1), Ac, 0))); // afresh: the extra one is free
        Assert.Equal(new SessionBudgetStatus(2, 0, 1), router.Budget!.Status());
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 2))));
    }

    [Fact]
    public void SessionsOnlyATunnelTalksOfDoNotFillTheBudgetButOnesTheAcAnswersDo()
    {
        long now = 1_000_000;
        var router = Router(1, with: new SessionBudget(1, () => now));
        var a = Link("A");
        var b = Link("B");
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 1))));
        for (ushort sid = 1; sid <= 20; sid++) Assert.True(FromTunnel(router, a, Echo(Mac(1, 1), Ac, sid))); // made-up sessions
        now += (long)SessionTracker.DiscoveryTimeout.TotalMilliseconds; // A's discovery gives up
        router.SweepBudget();
        Assert.Equal(new SessionBudgetStatus(1, 0, 0), router.Budget!.Status());
        Assert.True(FromTunnel(router, b, Padi(Mac(2, 1))));
        now += (long)SessionTracker.DiscoveryTimeout.TotalMilliseconds;
        router.SweepBudget();
        // A session the server never saw set up (it restarted under it) counts once the AC is heard on it.
        Assert.Same(a, FromAc(router, Echo(Ac, Mac(1, 1), 5)));
        router.SweepBudget();
        Assert.Equal(new SessionBudgetStatus(1, 1, 0), router.Budget!.Status());
        Assert.False(FromTunnel(router, b, Padi(Mac(2, 2))));
    }

    [Fact]
    public void TwoTunnelsRacingForTheLastSlotGetItOnce()
    {
        for (int round = 0; round < 200; round++)
        {
            var router = Router(1);
            var links = new[] { Link("A"), Link("B"), Link("C"), Link("D") };
            using var start = new Barrier(links.Length);
            int passed = 0;
            var threads = links.Select((link, i) => new Thread(() =>
            {
                start.SignalAndWait();
                if (FromTunnel(router, link, Padi(Mac(i + 1, round)))) Interlocked.Increment(ref passed);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Equal(1, passed);
        }
    }

    [Fact]
    public void ARefusedPadiIsOneLogLineASecond()
    {
        var log = new RecordingLogger();
        var router = Router(1, log: log);
        var a = Link("A");
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 1))));
        for (int i = 0; i < 50; i++) Assert.False(FromTunnel(router, a, Padi(Mac(1, 2))));
        var lines = log.Lines.Where(l => l.Text.Contains("session budget")).ToList();
        Assert.Single(lines);
        Assert.Equal($"session budget 1 reached: PADI from {Mac(1, 2)} via tunnel A not forwarded (--max-sessions)", lines[0].Text);
        Assert.Equal(50, a.Counters.Drops(DropReason.SessionBudget));
    }

    [Fact]
    public void ARefusedPadiCostsNoAllocation()
    {
        var router = Router(1);
        var a = Link("A");
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 1))));
        var padi = Padi(Mac(1, 2));
        var scratch = new byte[2048];
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(-1, router.RouteFromTunnel(a, FrameView.Parse(padi), now, scratch, out _)); // warmed up: MAC claimed, line logged
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 100_000; i++) router.RouteFromTunnel(a, FrameView.Parse(padi), now, scratch, out _);
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine($"100k refused PADIs: {watch.Elapsed.TotalMilliseconds:0} ms, {allocated} B allocated");
        Assert.True(allocated < 1024, $"{allocated} B allocated for 100k refused PADIs");
        Assert.Equal(100_001, a.Counters.Drops(DropReason.SessionBudget));
    }

    [Fact]
    public void StatusShowsTheBudget()
    {
        var router = Router(2);
        Dial(router, Link("A"), Mac(1, 1), 7);
        var status = new ProxyStatus("server", "wan0", "127.0.0.1:1", "plain", "transparent", Array.Empty<PeerStatus>(),
            Array.Empty<PppoeSession>(), new TunnelCounters().Snapshot(), Array.Empty<string>()) { SessionBudget = router.Budget!.Status() };
        Assert.Contains("sessions 1/2 (budget); drops", status.StatsLines().First());
    }
}
