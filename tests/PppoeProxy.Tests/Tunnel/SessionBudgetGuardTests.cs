using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Limits;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// The session budget beside the ghost guard: a client that restarted without a PADT finds the budget full of its
/// own ghost. Its discovery goes to the guard instead of being refused; once the guard's PADT ends the ghost, the
/// held frame gets the slot. Anyone else's discovery is refused as before.
/// </summary>
public class SessionBudgetGuardTests
{
    private static readonly MacAddress Ac = MacAddress.Parse("00:1b:21:aa:00:01");
    private static readonly MacAddress Ours = MacAddress.Parse("02:00:00:00:ee:01");
    private static readonly MacAddress A = MacAddress.Parse("02:00:00:00:0a:01");
    private static readonly MacAddress B = MacAddress.Parse("02:00:00:00:0b:01");

    private static TunnelLink Link(string name) =>
        new(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), name, null, NullLogger.Instance);

    private static ServerRouter Router(MacMode mode = MacMode.Transparent, bool guard = true) =>
        new(mode, Ours, "wan0", new SessionTracker(), NullLogger.Instance) { Budget = new SessionBudget(1), DeferOwnSessionsToGuard = guard };

    // The frames the router tests build, with the same Relay-Session-Id the server adds in rewrite mode.
    private static byte[] Disc(PppoeCode code, MacAddress from, MacAddress to, ushort sid, MacAddress? relayFor = null) =>
        SessionBudgetRouterTests.Disc(code, from, to, sid, relayFor);

    private static byte[] Padi(MacAddress from) => SessionBudgetRouterTests.Padi(from);

    /// <summary>Routes a tunnel's frame; returns the bytes that would go to the AC (null when dropped).</summary>
    private static byte[]? FromTunnel(ServerRouter router, TunnelLink link, byte[] frame, out bool overBudget)
    {
        var scratch = new byte[2048];
        int length = router.RouteFromTunnel(link, FrameView.Parse(frame), DateTimeOffset.UtcNow, scratch, out bool inScratch, out overBudget);
        return length < 0 ? null : (inScratch ? scratch : frame)[..length];
    }

    private static void Dial(ServerRouter router, TunnelLink link, MacAddress client, ushort sid)
    {
        bool rewrite = router.Mode == MacMode.Rewrite;
        Assert.NotNull(FromTunnel(router, link, Padi(client), out _));
        Assert.Same(link, router.RouteFromAc(Disc(PppoeCode.PADO, Ac, rewrite ? Ours : client, 0, rewrite ? client : null), DateTimeOffset.UtcNow, new byte[2048], out _));
        Assert.NotNull(FromTunnel(router, link, Disc(PppoeCode.PADR, client, Ac, 0), out _));
        Assert.Same(link, router.RouteFromAc(Disc(PppoeCode.PADS, Ac, rewrite ? Ours : client, sid, rewrite ? client : null), DateTimeOffset.UtcNow, new byte[2048], out _));
    }

    [Theory]
    [InlineData(MacMode.Transparent)]
    [InlineData(MacMode.Rewrite)]
    public void ARestartedClientsDiscoveryWaitsForTheGuardAndGetsTheSlotItsGhostFrees(MacMode mode)
    {
        var router = Router(mode);
        var a = Link("A");
        var b = Link("B");
        Dial(router, a, A, 7);

        // A restarted: its PADI finds the budget full of its own session. Routed, flagged for the guard, not counted.
        var held = FromTunnel(router, a, Padi(A), out bool overBudget);
        Assert.NotNull(held);
        Assert.True(overBudget);
        Assert.Equal(0, a.Counters.Drops(DropReason.SessionBudget));
        // B holds no session: refused outright.
        Assert.Null(FromTunnel(router, b, Padi(B), out bool bOver));
        Assert.False(bOver);
        Assert.Equal(1, b.Counters.Drops(DropReason.SessionBudget));

        // The guard found A alive (no PADT): the held PADI is refused at its release, counted on A's tunnel.
        Assert.False(router.AdmitReleased(held));
        Assert.Equal(1, a.Counters.Drops(DropReason.SessionBudget));

        // The guard ended the ghost: its PADT (from A's MAC, before any rewrite) frees the slot, and the held PADI takes it.
        router.SentPadt(FrameView.Parse(Disc(PppoeCode.PADT, A, Ac, 7)));
        Assert.True(router.AdmitReleased(held));
        Assert.Equal(new SessionBudgetStatus(1, 0, 1), router.Budget!.Status());
        Assert.Null(FromTunnel(router, b, Padi(B), out _)); // the slot is A's discovery's now
        Assert.NotNull(FromTunnel(router, a, Disc(PppoeCode.PADR, A, Ac, 0), out bool padrOver));
        Assert.False(padrOver);
    }

    [Fact]
    public void WithoutTheGuardTheRestartedClientIsRefusedLikeAnyone()
    {
        var router = Router(guard: false);
        var a = Link("A");
        Dial(router, a, A, 7);
        Assert.Null(FromTunnel(router, a, Padi(A), out bool overBudget));
        Assert.False(overBudget);
        Assert.Equal(1, a.Counters.Drops(DropReason.SessionBudget));
        // The five-argument overload (no guard to hold it) refuses a deferred frame itself.
        var guarded = Router();
        Dial(guarded, a, B, 8);
        Assert.Equal(-1, guarded.RouteFromTunnel(a, FrameView.Parse(Padi(B)), DateTimeOffset.UtcNow, new byte[2048], out _));
        Assert.Equal(2, a.Counters.Drops(DropReason.SessionBudget));
    }

    [Fact]
    public void AFrameAdmittedBeforeTheGuardHeldItKeepsItsSlot()
    {
        var router = Router();
        var a = Link("A");
        var b = Link("B");
        var padi = FromTunnel(router, a, Padi(A), out _);
        Assert.NotNull(padi);
        Assert.Null(FromTunnel(router, b, Padi(B), out _)); // the budget is full of A's discovery
        Assert.True(router.AdmitReleased(padi));            // held for another reason: still A's slot
        Assert.True(router.AdmitReleased(Disc(PppoeCode.PADR, A, Ac, 0)));
        Assert.True(router.AdmitReleased(Disc(PppoeCode.PADT, B, Ac, 3))); // not a discovery the budget counts
        Assert.False(router.AdmitReleased(Padi(B)));
    }
}
