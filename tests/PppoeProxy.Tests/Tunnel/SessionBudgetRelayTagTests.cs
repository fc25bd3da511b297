using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Limits;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// Rewrite mode: a PADI the router cannot add its Relay-Session-Id to is dropped after the budget admitted it;
/// its slot must come back at once, not after the 30 s discovery timeout (each such PADI from a new MAC
/// would otherwise lock a slot, and a budget of 1 would lock everybody out).
/// </summary>
public class SessionBudgetRelayTagTests
{
    [Fact]
    public void APadiDroppedForItsRelayTagGivesItsSlotBack()
    {
        var router = new ServerRouter(MacMode.Rewrite, MacAddress.Parse("02:00:00:00:ee:01"), "wan0", new SessionTracker(), NullLogger.Instance,
            limitedLog: new RateLimitedLog(NullLogger.Instance)) { Budget = new SessionBudget(1) };
        var link = new TunnelLink(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), "t1", null, NullLogger.Instance);
        var padi = PppoeFrame.Discovery(PppoeCode.PADI, MacAddress.Parse("02:00:00:01:00:01"), MacAddress.Broadcast, 0,
            new List<PppoeTag> { new(PppoeTagType.ServiceName, "") }).ToBytes();
        // A scratch with no room for the tag is how AppendTag fails here.
        int length = router.RouteFromTunnel(link, FrameView.Parse(padi), DateTimeOffset.UtcNow, new byte[padi.Length], out _);
        Assert.Equal(-1, length);
        Assert.Equal(1, link.Counters.Drops(DropReason.Malformed));
        Assert.Equal(new SessionBudgetStatus(1, 0, 0), router.Budget!.Status());
    }
}
