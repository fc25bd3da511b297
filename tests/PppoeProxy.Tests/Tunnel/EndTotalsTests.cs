using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>An end's totals are the sum over its tunnels, closed ones included, plus its own drops.</summary>
public class EndTotalsTests
{
    private static TunnelLink Link() =>
        new(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), "peer", null, NullLogger.Instance, ringBytes: 64 * 1024);

    [Fact]
    public void TotalsSumLiveAndClosedTunnelsAndEndLevelDrops()
    {
        var totals = new EndTotals();
        var endLevel = new TunnelCounters();
        using var closed = Link();
        using var live = Link();
        totals.Track(closed);
        totals.Track(live);
        closed.Counters.CountFromTunnel(100);
        closed.Counters.CountToTunnel(60);
        closed.Counters.Drop(DropReason.InjectFailed);
        live.Counters.CountFromTunnel(40);
        endLevel.Drop(DropReason.Disconnected);

        totals.Retire(closed);
        totals.Retire(closed); // a second close event must not count it twice
        var sum = totals.Snapshot(endLevel);

        Assert.Equal(2, sum.FramesFromTunnel);
        Assert.Equal(140, sum.BytesFromTunnel);
        Assert.Equal(1, sum.FramesToTunnel);
        Assert.Equal(60, sum.BytesToTunnel);
        Assert.Equal(1, sum.Drops["InjectFailed"]);
        Assert.Equal(1, sum.Drops["Disconnected"]);
    }

    [Fact]
    public void ARetiredLinkCountsOnceEvenWhileItKeepsItsOwnCounters()
    {
        var totals = new EndTotals();
        using var link = Link();
        totals.Track(link);
        link.Counters.CountToTunnel(10);
        totals.Retire(link);
        Assert.Equal(1, totals.Snapshot(new TunnelCounters()).FramesToTunnel);
    }

    [Fact]
    public void SumKeepsDropReasonsInEnumOrder()
    {
        var a = new TunnelCounters();
        var b = new TunnelCounters();
        a.Drop(DropReason.CaptureOverflow);
        b.Drop(DropReason.QueueFull);
        b.Drop(DropReason.CaptureOverflow);
        var sum = TunnelCountersSnapshot.Sum(new[] { a.Snapshot(), b.Snapshot() });
        Assert.Equal(new[] { "QueueFull", "CaptureOverflow" }, sum.Drops.Keys);
        Assert.Equal(2, sum.Drops["CaptureOverflow"]);
    }
}
