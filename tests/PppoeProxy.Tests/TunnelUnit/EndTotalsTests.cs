using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.TunnelUnit;

/// <summary>An end's totals are the sum over its tunnels, closed ones included, plus its own drops.</summary>
public class EndTotalsTests
{
    private static TunnelLink Link() =>
        new(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), "peer", null, NullLogger.Instance, ringBytes: 64 * 1024);

    [Fact]
    public void Totals_sum_live_and_closed_tunnels_and_end_level_drops()
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
    public void A_retired_link_counts_once_even_while_it_keeps_its_own_counters()
    {
        var totals = new EndTotals();
        using var link = Link();
        totals.Track(link);
        link.Counters.CountToTunnel(10);
        totals.Retire(link);
        Assert.Equal(1, totals.Snapshot(new TunnelCounters()).FramesToTunnel);
    }

    [Fact]
    public void Sum_keeps_drop_reasons_in_enum_order()
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
