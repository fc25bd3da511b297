using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>The server's per-tunnel and total session limits, without sockets.</summary>
public class SessionLimitRouterTests
{
    private static readonly MacAddress Ac = MacAddress.Parse("00:1b:21:aa:00:01");

    private static MacAddress Mac(int tunnel, int n) => new(0x0200_0000_0000UL | ((ulong)tunnel << 16) | (uint)n);
    private static TunnelLink Link(string name) =>
        new(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), name, null, NullLogger.Instance);
    private static byte[] Padi(MacAddress from) => PppoeFrame.Discovery(PppoeCode.PADI, from, MacAddress.Broadcast, 0,
        new[] { new PppoeTag(PppoeTagType.ServiceName, "") }).ToBytes();
    private static byte[] Disc(PppoeCode code, MacAddress from, MacAddress to, ushort sid) =>
        PppoeFrame.Discovery(code, from, to, sid, new[] { new PppoeTag(PppoeTagType.ServiceName, "") }).ToBytes();
    private static byte[] Echo(MacAddress from, MacAddress to, ushort sid) =>
        PppoeFrame.Session(from, to, sid, new byte[] { 0xc0, 0x21, 9, 1, 0, 8, 0, 0, 0, 1 }).ToBytes();

    private static int FromTunnel(ServerRouter router, TunnelLink link, byte[] frame) =>
        router.RouteFromTunnel(link, FrameView.Parse(frame), DateTimeOffset.UtcNow, new byte[2048], out _);

    [Theory]
    [InlineData(MacMode.Transparent)]
    [InlineData(MacMode.Rewrite)]
    public void ATunnelAtItsLimitIsRefusedFurtherDiscoveryAndOthersAreNot(MacMode mode)
    {
        var router = new ServerRouter(mode, MacAddress.Parse("02:00:00:00:ee:01"), "wan0", new SessionTracker(), NullLogger.Instance)
        {
            MaxSessionsPerTunnel = 4,
        };
        var a = Link("A");
        var b = Link("B");
        for (int i = 0; i < 4; i++) Assert.True(FromTunnel(router, a, Padi(Mac(1, i))) > 0);
        Assert.Equal(-1, FromTunnel(router, a, Padi(Mac(1, 4))));
        Assert.Equal(-1, FromTunnel(router, a, Disc(PppoeCode.PADR, Mac(1, 5), Ac, 0)));
        Assert.Equal(2, a.Counters.Drops(DropReason.SessionLimit));
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 0))) > 0);                           // a retry of one it has
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADT, Mac(1, 6), Ac, 6)) > 0);    // ending is never refused
        Assert.True(FromTunnel(router, b, Padi(Mac(2, 0))) > 0);
        Assert.Equal(0, b.Counters.TotalDrops);
        Assert.Equal(4, router.Tracker.LiveCountOf(a.Id));
    }

    [Fact]
    public void SessionsATunnelNeverSetUpCountTowardItsLimit()
    {
        var router = new ServerRouter(MacMode.Transparent, default, "wan0", new SessionTracker(maxSessions: 100), NullLogger.Instance)
        {
            MaxSessionsPerTunnel = 8,
        };
        var a = Link("A");
        int forwarded = 0;
        for (ushort sid = 1; sid <= 1000; sid++) if (FromTunnel(router, a, Echo(Mac(1, 1), Ac, sid)) > 0) forwarded++;
        Assert.Equal(8, forwarded);
        Assert.Equal(992, a.Counters.Drops(DropReason.SessionLimit));
        Assert.Equal(8, router.Tracker.Entries);
        Assert.True(FromTunnel(router, a, Disc(PppoeCode.PADT, Mac(1, 1), Ac, 1)) > 0);  // at its limit, ending one is never refused
    }

    [Fact]
    public void AFullTableRefusesATunnelsNewSessionsButStillRoutesTheAcsFrames()
    {
        var router = new ServerRouter(MacMode.Transparent, default, "wan0", new SessionTracker(maxSessions: 2), NullLogger.Instance);
        var a = Link("A");
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 0))) > 0);
        Assert.True(FromTunnel(router, a, Padi(Mac(1, 1))) > 0);
        Assert.Equal(-1, FromTunnel(router, a, Padi(Mac(1, 2))));
        Assert.Equal(1, router.Tracker.RefusedFull);
        // The AC's offer to a client we route is delivered even though there is no room to track it.
        Assert.Same(a, router.RouteFromAc(Disc(PppoeCode.PADO, Ac, Mac(1, 0), 0), DateTimeOffset.UtcNow, new byte[2048], out _));
    }
}
