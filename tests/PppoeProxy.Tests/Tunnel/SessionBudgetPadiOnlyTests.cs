using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel.Limits;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>A stray PADI must not hold a one-slot line for 30 s (hostile probe after issue 13).</summary>
public sealed class SessionBudgetPadiOnlyTests
{
    private static readonly MacAddress Stray = MacAddress.Parse("02:00:00:00:00:99");
    private static readonly MacAddress Router = MacAddress.Parse("02:00:00:00:00:01");
    private long _nowMs = 1_000_000;

    [Fact]
    public void APadiThatNeverGetsToAPadrGivesItsSlotBackAfterSixSeconds()
    {
        var budget = new SessionBudget(1, () => _nowMs);
        var tracker = new SessionTracker();
        Assert.True(budget.TryAdmit(Stray, 0, padr: false, out _));
        Assert.False(budget.TryAdmit(Router, 0, padr: false, out _)); // the line is full meanwhile

        _nowMs += 5_000;
        budget.Sweep(tracker);
        Assert.Equal(1, budget.Discoveries);
        _nowMs += 1_100;
        budget.Sweep(tracker);
        Assert.Equal(0, budget.Discoveries);
        Assert.True(budget.TryAdmit(Router, 0, padr: false, out _));
    }

    [Fact]
    public void ADiscoveryThatReachedItsPadrKeepsItsSlotForTheWholeDiscoveryTimeout()
    {
        var budget = new SessionBudget(1, () => _nowMs);
        var tracker = new SessionTracker();
        Assert.True(budget.TryAdmit(Router, 0, padr: false, out _));
        Assert.True(budget.TryAdmit(Router, 0, padr: true, out _));
        _nowMs += 10_000; // a slow AC: the PADS has not come yet
        budget.Sweep(tracker);
        Assert.Equal(1, budget.Discoveries);
        Assert.False(budget.TryAdmit(Stray, 0, padr: false, out _));
    }
}
