using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// A tunnel's PADT for a session the server never carried (probe 12, gap a): 3,000 of them filled half the
/// session table with Terminated entries, and the sweeper's "table full ... refused" line counted them while
/// nothing was refused. Such a PADT is still forwarded (a restarted server must pass the client's PADT for a
/// session that ended while it was down: FaultMatrixTests), but never recorded; in rewrite mode, where the AC
/// hears it from our MAC, an id that maps to another client is dropped.
/// </summary>
public class UnknownPadtTests
{
    private static readonly MacAddress Ac = MacAddress.Parse("00:1b:21:aa:00:01");
    private static readonly MacAddress Ours = MacAddress.Parse("02:00:00:00:ee:01");
    private static readonly MacAddress ClientA = MacAddress.Parse("02:00:00:00:0a:01");
    private static readonly MacAddress ClientB = MacAddress.Parse("02:00:00:00:0b:01");

    private static TunnelLink Link(string name) =>
        new(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), name, null, NullLogger.Instance);

    private static int FromTunnel(ServerRouter router, TunnelLink link, byte[] frame) =>
        router.RouteFromTunnel(link, FrameView.Parse(frame), DateTimeOffset.UtcNow, new byte[2048], out _);

    private static TunnelLink? FromAc(ServerRouter router, byte[] frame) =>
        router.RouteFromAc(frame, DateTimeOffset.UtcNow, new byte[2048], out _);

    private static byte[] Padt(MacAddress from, MacAddress to, ushort sid) => SessionBudgetRouterTests.Disc(PppoeCode.PADT, from, to, sid);

    // PADI, PADO, PADR, PADS of one client; in rewrite mode the AC answers our MAC with the relay tag.
    private static void Dial(ServerRouter router, TunnelLink link, MacAddress client, ushort sid)
    {
        bool rewrite = router.Mode == MacMode.Rewrite;
        var to = rewrite ? Ours : client;
        MacAddress? relay = rewrite ? client : null;
        Assert.True(FromTunnel(router, link, SessionBudgetRouterTests.Padi(client)) > 0);
        Assert.Same(link, FromAc(router, SessionBudgetRouterTests.Disc(PppoeCode.PADO, Ac, to, 0, relay)));
        Assert.True(FromTunnel(router, link, SessionBudgetRouterTests.Disc(PppoeCode.PADR, client, Ac, 0)) > 0);
        Assert.Same(link, FromAc(router, SessionBudgetRouterTests.Disc(PppoeCode.PADS, Ac, to, sid, relay)));
    }

    [Theory]
    [InlineData(MacMode.Transparent)]
    [InlineData(MacMode.Rewrite)]
    public void ThreeThousandPadtsForSessionsNeverSeenAreForwardedButLeaveNoEntryAndNoRefusalLine(MacMode mode)
    {
        var log = new RecordingLogger();
        var limited = new RateLimitedLog(log);
        var tracker = new SessionTracker(maxSessions: 4096);
        var router = new ServerRouter(mode, Ours, "wan0", tracker, NullLogger.Instance, limitedLog: limited) { MaxSessionsPerTunnel = 64 };
        var link = Link("prober");
        Assert.True(FromTunnel(router, link, SessionBudgetRouterTests.Padi(ClientA)) > 0); // the MAC is the tunnel's own
        int entries = tracker.Entries;

        int forwarded = 0;
        for (int sid = 1; sid <= 3000; sid++) if (FromTunnel(router, link, Padt(ClientA, Ac, (ushort)sid)) > 0) forwarded++;

        Assert.Equal(3000, forwarded);
        Assert.Equal(0, link.Counters.TotalDrops);
        Assert.Equal(entries, tracker.Entries);
        Assert.Equal(0, tracker.RefusedFull);
        new SessionSweeper(tracker, limited, 64).Sweep(new[] { link });
        var lines = log.Lines.Select(l => l.Text).ToList();
        // The line says what happened; nothing claims the table was full, that anything was refused, or that a session went down.
        Assert.Single(lines, l => l.StartsWith("forwarded a PADT for session id 1 from 02:00:00:00:0a:01 through tunnel prober: a session this server never carried"));
        Assert.DoesNotContain(lines, l => l.Contains("session table full") || l.StartsWith("session down"));
    }

    [Fact]
    public void InRewriteModeATunnelCannotEndAnotherClientsSessionByGuessingItsId()
    {
        var router = new ServerRouter(MacMode.Rewrite, Ours, "wan0", new SessionTracker(), NullLogger.Instance);
        var a = Link("A");
        var b = Link("B");
        Dial(router, a, ClientA, 0x11);
        Dial(router, b, ClientB, 0x22);

        // The AC would hear it from our MAC, the one B's session has there.
        Assert.Equal(-1, FromTunnel(router, a, Padt(ClientA, Ac, 0x22)));
        Assert.Equal(1, a.Counters.Drops(DropReason.SpoofedSource));
        Assert.Single(router.LiveSessionsOf(ClientB));
        Assert.Same(b, FromAc(router, SessionBudgetRouterTests.Disc(PppoeCode.PADT, Ac, Ours, 0x22))); // still routed to B

        Assert.True(FromTunnel(router, a, Padt(ClientA, Ac, 0x11)) > 0);
        Assert.Empty(router.LiveSessionsOf(ClientA));
    }
}
