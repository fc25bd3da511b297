using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using Xunit;

namespace PppoeProxy.Tests.Sessions;

/// <summary>The tracker forgets ended sessions and abandoned discoveries, and never grows past its cap.</summary>
public class SessionLifecycleTests
{
    private static readonly MacAddress Ac = MacAddress.Parse("00:00:5e:00:53:01");
    private static readonly DateTimeOffset T0 = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static MacAddress Client(int n) => new(0x0200_0000_0000UL | (uint)n);

    private static bool Feed(SessionTracker tracker, PppoeFrame frame, DateTimeOffset time, long owner = 0, int ownerLimit = int.MaxValue) =>
        tracker.TryObserve(FrameView.Parse(frame.ToBytes()), time, "eth0", FrameDirection.Unknown, owner, ownerLimit);

    private static PppoeFrame Padi(MacAddress client) => PppoeFrame.Discovery(PppoeCode.PADI, client, MacAddress.Broadcast, 0,
        new[] { new PppoeTag(PppoeTagType.ServiceName, "") });
    private static PppoeFrame Disc(PppoeCode code, MacAddress from, MacAddress to, ushort sid = 0) =>
        PppoeFrame.Discovery(code, from, to, sid, new[] { new PppoeTag(PppoeTagType.ServiceName, "") });
    private static PppoeFrame Echo(MacAddress from, MacAddress to, ushort sid) =>
        PppoeFrame.Session(from, to, sid, SessionTrackerTests.Lcp(9, 1));

    /// <summary>PADI, PADO, PADR, PADS: one established session.</summary>
    private static void Dial(SessionTracker tracker, MacAddress client, ushort sid, DateTimeOffset time, long owner = 0)
    {
        Feed(tracker, Padi(client), time, owner);
        Feed(tracker, Disc(PppoeCode.PADO, Ac, client), time, owner);
        Feed(tracker, Disc(PppoeCode.PADR, client, Ac), time, owner);
        Feed(tracker, Disc(PppoeCode.PADS, Ac, client, sid), time, owner);
    }

    [Fact]
    public void AnEndedSessionLeavesAfterItsRetentionAndALiveOneStays()
    {
        var tracker = new SessionTracker();
        Dial(tracker, Client(1), 1, T0);
        Dial(tracker, Client(2), 2, T0);
        Feed(tracker, Disc(PppoeCode.PADT, Client(1), Ac, 1), T0.AddSeconds(1));
        Assert.Equal(2, tracker.Snapshot().Count); // the PADS also ended both discoveries' entries

        Assert.Equal(0, tracker.Sweep(T0.AddSeconds(1) + SessionTracker.TerminatedRetention - TimeSpan.FromSeconds(1)).Expired);
        Assert.Equal(2, tracker.Snapshot().Count);
        Assert.Equal(1, tracker.Sweep(T0.AddSeconds(1) + SessionTracker.TerminatedRetention).Expired);
        var left = Assert.Single(tracker.Snapshot());
        Assert.Equal((Client(2), SessionState.Established), (left.ClientMac, left.State));
        // Established sessions are never expired by time, however old.
        Assert.Equal(0, tracker.Sweep(T0.AddDays(1)).Expired);
        Assert.Single(tracker.Snapshot());
    }

    [Fact]
    public void AnUnfinishedDiscoveryLeavesAfterItsTimeoutAndEachRetryRefreshesIt()
    {
        var tracker = new SessionTracker();
        Feed(tracker, Padi(Client(1)), T0);
        Feed(tracker, Disc(PppoeCode.PADO, Ac, Client(1)), T0); // the (client, AC) offer entry
        Feed(tracker, Padi(Client(2)), T0);
        Feed(tracker, Padi(Client(2)), T0.AddSeconds(20)); // a retry refreshes it
        Assert.Equal(3, tracker.Entries);

        Assert.Equal(0, tracker.Sweep(T0 + SessionTracker.DiscoveryTimeout - TimeSpan.FromSeconds(1)).Expired);
        Assert.Equal(2, tracker.Sweep(T0 + SessionTracker.DiscoveryTimeout).Expired);
        Assert.Empty(tracker.Snapshot());
        Assert.Equal(1, tracker.Entries);
        Assert.Equal(1, tracker.Sweep(T0.AddSeconds(20) + SessionTracker.DiscoveryTimeout).Expired);
        Assert.Equal(0, tracker.Entries);
    }

    [Fact]
    public void ChurnThroughAHundredThousandSessionIdsStaysWithinTheCap()
    {
        const int cap = 1000;
        var tracker = new SessionTracker(maxSessions: cap);
        int peak = 0;
        var time = T0;
        for (int i = 0; i < 100_000; i++)
        {
            var client = Client(i % 5000);
            ushort sid = (ushort)(1 + i % 65534);
            Feed(tracker, Echo(Ac, client, sid), time);                       // learned mid-stream
            Feed(tracker, Disc(PppoeCode.PADT, Ac, client, sid), time);        // and ended
            time = time.AddMilliseconds(5);
            if (i % 50 == 0) tracker.Sweep(time);                              // the ends sweep every 250 ms
            peak = Math.Max(peak, tracker.Entries);
        }
        Assert.True(peak <= cap, $"peak {peak} entries, cap {cap}");
        Assert.True(tracker.Snapshot().Count <= cap);
        // 60 s after the last PADT every one of them is gone.
        tracker.Sweep(time + SessionTracker.TerminatedRetention);
        Assert.Equal(0, tracker.Entries);
        Assert.Empty(tracker.Snapshot());
        Assert.True(tracker.Expired + tracker.Evicted > 0);
    }

    [Fact]
    public void AFullTableRefusesNewSessionsEvictsEndedAndIdleOnesFirstAndNeverAnActiveOne()
    {
        const int cap = 32;
        var tracker = new SessionTracker(maxSessions: cap);
        // 8 ended, 8 established but silent for 10 min, 16 active.
        for (int i = 0; i < 8; i++) Feed(tracker, Disc(PppoeCode.PADT, Ac, Client(i), (ushort)(i + 1)), T0.AddSeconds(i));
        for (int i = 8; i < 16; i++) Feed(tracker, Echo(Ac, Client(i), (ushort)(i + 1)), T0.AddSeconds(i));
        var now = T0.AddMinutes(10);
        for (int i = 16; i < 32; i++) Feed(tracker, Echo(Ac, Client(i), (ushort)(i + 1)), now);
        Assert.Equal(cap, tracker.Entries);

        Assert.False(Feed(tracker, Echo(Ac, Client(99), 99), now));
        Assert.False(Feed(tracker, Padi(Client(98)), now));
        Assert.Equal(2, tracker.RefusedFull);
        Assert.True(Feed(tracker, Disc(PppoeCode.PADT, Ac, Client(97), 97), now)); // a PADT is admitted, just not recorded
        Assert.Equal(cap, tracker.Entries);

        // At T0+30 s no ended session is past its 60 s: what goes, goes for room alone.
        var swept = tracker.Sweep(T0.AddSeconds(30));
        Assert.Equal(2, swept.Evicted); // the two oldest ended sessions, down to cap - cap/16
        Assert.Equal(0, swept.EvictedIdle);
        Assert.Equal(cap - cap / 16, tracker.Entries);
        Assert.DoesNotContain(tracker.Snapshot(), s => s.ClientMac == Client(0) || s.ClientMac == Client(1));
        Assert.True(Feed(tracker, Echo(Ac, Client(99), 99), now)); // room again
    }

    [Fact]
    public void UnderPressureIdleEstablishedSessionsGoOldestFirstAndActiveOnesStay()
    {
        const int cap = 16;
        var tracker = new SessionTracker(maxSessions: cap);
        for (int i = 0; i < 4; i++) Feed(tracker, Echo(Ac, Client(i), (ushort)(i + 1)), T0.AddSeconds(i));
        var now = T0 + SessionTracker.IdleEvictionAge + TimeSpan.FromSeconds(2);
        for (int i = 4; i < 16; i++) Feed(tracker, Echo(Ac, Client(i), (ushort)(i + 1)), now);

        var swept = tracker.Sweep(now);
        Assert.Equal(new SessionSweep(0, 0, 1), swept); // one, to cap - cap/16
        Assert.Equal(1, tracker.EvictedIdle);
        Assert.DoesNotContain(tracker.Snapshot(), s => s.ClientMac == Client(0)); // the oldest went
        Assert.Contains(tracker.Snapshot(), s => s.ClientMac == Client(3));        // silent 4 min 59 s: not idle

        // A table full of active sessions: nothing is evicted, new ones are refused.
        var active = new SessionTracker(maxSessions: cap);
        for (int i = 0; i < cap; i++) Feed(active, Echo(Ac, Client(i), (ushort)(i + 1)), now);
        Assert.Equal(new SessionSweep(0, 0, 0), active.Sweep(now.AddMinutes(1)));
        Assert.Equal(cap, active.Snapshot().Count);
        Assert.False(Feed(active, Echo(Ac, Client(99), 99), now));
    }

    [Fact]
    public void AnOwnerAtItsLimitOpensNothingMoreAndGetsRoomBackWhenItsSessionsEnd()
    {
        var tracker = new SessionTracker();
        const int limit = 3;
        for (int i = 0; i < limit; i++) Assert.True(Feed(tracker, Padi(Client(i)), T0, owner: 1, ownerLimit: limit));
        Assert.Equal(limit, tracker.LiveCountOf(1));
        Assert.False(Feed(tracker, Padi(Client(10)), T0, owner: 1, ownerLimit: limit));
        Assert.False(Feed(tracker, Echo(Client(11), Ac, 11), T0, owner: 1, ownerLimit: limit)); // a session it never set up
        Assert.True(Feed(tracker, Padi(Client(0)), T0, owner: 1, ownerLimit: limit));            // a retry needs no room
        Assert.True(Feed(tracker, Disc(PppoeCode.PADT, Client(12), Ac, 12), T0, owner: 1, ownerLimit: limit));
        Assert.True(Feed(tracker, Padi(Client(20)), T0, owner: 2, ownerLimit: limit));           // another owner is not affected
        Assert.Equal(2, tracker.RefusedOwnerLimit);

        // Its discoveries time out: the sweep recounts and it may dial again.
        tracker.Sweep(T0 + SessionTracker.DiscoveryTimeout);
        Assert.Equal(0, tracker.LiveCountOf(1));
        Assert.True(Feed(tracker, Padi(Client(10)), T0 + SessionTracker.DiscoveryTimeout, owner: 1, ownerLimit: limit));
    }

    [Fact]
    public void ASessionResumedThroughANewTunnelCountsThere()
    {
        var tracker = new SessionTracker();
        Dial(tracker, Client(1), 1, T0, owner: 1);
        tracker.Sweep(T0);
        Assert.Equal((1, 0), (tracker.LiveCountOf(1), tracker.LiveCountOf(2)));
        Feed(tracker, Echo(Client(1), Ac, 1), T0.AddSeconds(1), owner: 2); // the client reconnected: tunnel 2 now
        tracker.Sweep(T0.AddSeconds(1));
        Assert.Equal((0, 1), (tracker.LiveCountOf(1), tracker.LiveCountOf(2)));
    }
}
