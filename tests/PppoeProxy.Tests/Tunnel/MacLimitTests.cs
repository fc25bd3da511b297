using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// A tunnel sending PADIs from ever new MACs must not grow the server's MAC table without bound
/// (found when merging issue 12: a PADI refused for the session limit still claimed its MAC).
/// </summary>
public class MacLimitTests
{
    private static readonly MacAddress Ours = MacAddress.Parse("02:00:00:00:ee:01");

    private static TunnelLink Link(string name) =>
        new(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), name, null, NullLogger.Instance);

    private static byte[] Padi(MacAddress from) => PppoeFrame.Discovery(PppoeCode.PADI, from, MacAddress.Broadcast, 0,
        new[] { new PppoeTag(PppoeTagType.ServiceName, "") }).ToBytes();

    private static MacAddress Random(int n) => new(0x0250_0000_0000UL | (uint)n);

    [Fact]
    public void ATunnelSpeaksForAtMostTheLimitOfMacsAndOtherTunnelsStillClaim()
    {
        var log = new RecordingLogger();
        var router = new ServerRouter(MacMode.Transparent, Ours, "wan0", new SessionTracker(), NullLogger.Instance,
            limitedLog: new RateLimitedLog(log)) { MaxSessionsPerTunnel = 100_000 };
        var hostile = Link("hostile");
        var buffer = new byte[2048];
        for (int i = 0; i < 10_000; i++)
            router.RouteFromTunnel(hostile, FrameView.Parse(Padi(Random(i))), DateTimeOffset.UtcNow, buffer, out _);

        Assert.Equal(MacOwnership.MaxMacsPerTunnel, router.Owners.Count);
        Assert.Equal(MacOwnership.MaxMacsPerTunnel, hostile.OwnedMacs);
        Assert.Equal(10_000 - MacOwnership.MaxMacsPerTunnel, hostile.Counters.Snapshot().Drops[nameof(DropReason.SessionLimit)]);
        Assert.Single(log.Lines, l => l.Text.Contains("speaks for"));

        var victim = Link("victim");
        Assert.True(router.RouteFromTunnel(victim, FrameView.Parse(Padi(MacAddress.Parse("02:00:00:00:0a:01"))), DateTimeOffset.UtcNow, buffer, out _) >= 0);
    }

    [Fact]
    public void MacsWhoseDiscoveryTheTrackerLetGoAreForgottenAndTheCountFollows()
    {
        var owners = new MacOwnership(Ours);
        var link = Link("site");
        for (int i = 0; i < 10; i++) owners.Claim(link, Random(i), discovery: true, out _);
        owners.MarkSession(Random(0));

        // Too young: nothing goes, whatever the tracker says.
        Assert.Equal(0, owners.ForgetUnused(_ => false, TimeSpan.FromHours(1)));
        // Old enough: the ones the tracker still knows (1) and the one with a session (0) stay.
        Assert.Equal(8, owners.ForgetUnused(mac => mac == Random(1).Value, TimeSpan.Zero));
        Assert.Equal(2, owners.Count);
        Assert.Equal(2, link.OwnedMacs);

        var released = owners.Release(link, mac => mac == Random(0), TimeSpan.FromSeconds(30));
        Assert.Single(released);
        Assert.Equal(0, link.OwnedMacs);
    }
}
