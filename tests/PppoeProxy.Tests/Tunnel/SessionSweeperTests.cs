using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// The per-tunnel refusal line names --max-sessions-per-tunnel only when that limit refused: a full table
/// drops a tunnel's PADI as SessionLimit too, and the line used to blame a tunnel with 1 of 64 sessions.
/// </summary>
public class SessionSweeperTests
{
    private static readonly MacAddress Ours = MacAddress.Parse("02:00:00:00:ee:01");
    private static readonly byte[] Buffer = new byte[2048];

    private static byte[] Padi(int n) => PppoeFrame.Discovery(PppoeCode.PADI, new MacAddress(0x0250_0000_0000UL | (uint)n),
        MacAddress.Broadcast, 0, new[] { new PppoeTag(PppoeTagType.ServiceName, "") }).ToBytes();

    private static List<string> SendTwoPadisAndSweep(int maxTracked, int perTunnel)
    {
        var log = new RecordingLogger();
        var limited = new RateLimitedLog(log);
        var tracker = new SessionTracker(maxSessions: maxTracked);
        var router = new ServerRouter(MacMode.Transparent, Ours, "wan0", tracker, NullLogger.Instance, limitedLog: limited)
            { MaxSessionsPerTunnel = perTunnel };
        var link = new TunnelLink(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), "site", null, NullLogger.Instance);
        for (int i = 0; i < 2; i++) router.RouteFromTunnel(link, FrameView.Parse(Padi(i)), DateTimeOffset.UtcNow, Buffer, out _);
        Assert.Equal(1, link.Counters.Drops(DropReason.SessionLimit));
        new SessionSweeper(tracker, limited, perTunnel).Sweep(new[] { link });
        return log.Lines.Select(l => l.Text).ToList();
    }

    [Fact]
    public void ATunnelAtItsOwnLimitIsBlamedByName()
    {
        var lines = SendTwoPadisAndSweep(maxTracked: 4096, perTunnel: 1);
        Assert.Contains(lines, l => l.Contains("has 1 live session(s) and discovery(ies), limit 1 (--max-sessions-per-tunnel)"));
    }

    [Fact]
    public void AFullTableIsNotBlamedOnTheTunnelLimit()
    {
        var lines = SendTwoPadisAndSweep(maxTracked: 1, perTunnel: 64);
        Assert.Contains(lines, l => l.Contains("session table full (1, --max-tracked-sessions)"));
        Assert.Contains(lines, l => l.StartsWith("tunnel site has ") && l.Contains("under its limit 64: refused 1 more frame(s)"));
        Assert.DoesNotContain(lines, l => l.Contains("--max-sessions-per-tunnel"));
    }
}
