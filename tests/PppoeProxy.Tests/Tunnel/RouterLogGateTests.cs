using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// The router's refusal lines go through the one shared rate limiter (probe 12, gap b): its own gate in front
/// of it (LogDue) kept the held-back lines from ever being counted, so "(and N more like it)" and the
/// limiter's flush never told the admin how many refusals the one line stood for.
/// </summary>
public class RouterLogGateTests
{
    private static readonly MacAddress Ours = MacAddress.Parse("02:00:00:00:ee:01");
    private static readonly MacAddress Ac = MacAddress.Parse("00:1b:21:aa:00:01");
    private long _now = 1_000_000;

    [Fact]
    public void AFloodOfRefusedFramesIsOneLineAndItsCountComesOutWithTheNext()
    {
        var log = new RecordingLogger();
        var limited = new RateLimitedLog(log, TimeSpan.FromSeconds(1), () => _now);
        var router = new ServerRouter(MacMode.Transparent, Ours, "wan0", new SessionTracker(), NullLogger.Instance, limitedLog: limited);
        var link = new TunnelLink(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), "flooder", null, NullLogger.Instance);
        var multicast = PppoeFrame.Session(MacAddress.Parse("01:00:5e:00:00:01"), Ac, 7, new byte[] { 0xc0, 0x21, 9, 1, 0, 8, 0, 0, 0, 1 }).ToBytes();
        var buffer = new byte[2048];

        for (int i = 0; i < 1000; i++) Assert.Equal(-1, router.RouteFromTunnel(link, FrameView.Parse(multicast), DateTimeOffset.UtcNow, buffer, out _));
        Assert.Single(log.Lines);
        Assert.Equal(999, limited.TotalSuppressed);

        _now += 1001;
        limited.Flush();
        Assert.Equal(2, log.Lines.Count);
        Assert.Equal("999 more lines of kind mac-forbidden not logged", log.Lines[1].Text);
        Assert.Equal(1000, link.Counters.Drops(DropReason.ForbiddenSource));
    }
}
