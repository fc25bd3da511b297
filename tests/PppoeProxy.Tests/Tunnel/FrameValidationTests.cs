using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>Every frame the parser refuses is a counted drop on the server, both ways, never routed.</summary>
public class FrameValidationTests
{
    private static readonly MacAddress Ac = MacAddress.Parse("00:1b:21:aa:00:01");
    private static readonly MacAddress Client = MacAddress.Parse("02:00:00:00:0a:01");

    public static TheoryData<MacMode> Modes => new() { MacMode.Transparent, MacMode.Rewrite };

    [Fact]
    public void EachCraftedFrameIsTheClassItNames()
    {
        var frames = MalformedFrames.All(Client, Ac, 7);
        foreach (var (error, bytes) in frames)
            Assert.True(FrameView.Parse(bytes).Error == error, $"{error}: parsed as {FrameView.Parse(bytes).Error} ({Convert.ToHexString(bytes)})");
        Assert.Contains(frames, f => f.Class == FrameError.SessionCodeNotZero);
        Assert.Contains(frames, f => f.Class == FrameError.UnknownDiscoveryCode);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void MalformedFramesFromATunnelAreDroppedAndCounted(MacMode mode)
    {
        var router = new ServerRouter(mode, MacAddress.Parse("02:00:00:00:ee:01"), "wan0", new SessionTracker(), NullLogger.Instance);
        var link = new TunnelLink(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), "A", null, NullLogger.Instance);
        var scratch = new byte[2048];
        var frames = MalformedFrames.All(Client, Ac, 7);
        foreach (var (error, bytes) in frames)
            Assert.True(router.RouteFromTunnel(link, FrameView.Parse(bytes), DateTimeOffset.UtcNow, scratch, out _) == -1, $"{error} was routed");
        Assert.Equal(frames.Count, link.Counters.Drops(DropReason.Malformed));
        Assert.Equal(0, router.Tracker.Count); // nothing malformed reaches the session table either
    }

    [Fact]
    public void MalformedFramesFromTheAcAreDroppedAndCountedEvenToAnOwnedClient()
    {
        var router = new ServerRouter(MacMode.Transparent, default, "wan0", new SessionTracker(), NullLogger.Instance);
        var link = new TunnelLink(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), "A", null, NullLogger.Instance);
        var scratch = new byte[2048];
        var padi = PppoeFrame.Discovery(PppoeCode.PADI, Client, MacAddress.Broadcast, 0, new[] { new PppoeTag(PppoeTagType.ServiceName, "") }).ToBytes();
        Assert.True(router.RouteFromTunnel(link, FrameView.Parse(padi), DateTimeOffset.UtcNow, scratch, out _) > 0); // A owns Client now
        var valid = PppoeFrame.Discovery(PppoeCode.PADO, Ac, Client, 0, new[] { new PppoeTag(PppoeTagType.ServiceName, "") }).ToBytes();
        Assert.Same(link, router.RouteFromAc(valid, DateTimeOffset.UtcNow, scratch, out _));

        var frames = MalformedFrames.All(Ac, Client, 7);
        foreach (var (error, bytes) in frames)
            Assert.True(router.RouteFromAc(bytes, DateTimeOffset.UtcNow, scratch, out _) is null, $"{error} was routed");
        Assert.Equal(frames.Count, router.Counters.Drops(DropReason.Malformed));
    }
}
