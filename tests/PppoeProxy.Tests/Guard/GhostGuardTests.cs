using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Guard;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Tests.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Guard;

/// <summary>The guard's decisions on a tracker fed by hand, with a clock the test moves.</summary>
public class GhostGuardTests
{
    private static readonly MacAddress Client = MacAddress.Parse("02:00:00:00:00:0c");
    private static readonly MacAddress OtherClient = MacAddress.Parse("02:00:00:00:00:0d");
    private static readonly MacAddress Ac = MacAddress.Parse("00:00:5e:00:53:01");
    private static readonly MacAddress OtherAc = MacAddress.Parse("00:00:5e:00:53:02");
    private const ushort Sid = 0x0042;

    private readonly SessionTracker _tracker = new();
    private readonly RecordingActions _actions;
    private readonly RecordingLogger _log = new();
    private long _nowMs = 1_000_000;
    private DateTimeOffset _time = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public GhostGuardTests() => _actions = new RecordingActions(() => _nowMs);

    private GhostGuard NewGuard(GhostGuardOptions? options = null)
    {
        var guard = new GhostGuard(_tracker, options ?? new GhostGuardOptions(), _actions, _log, new RateLimitedLog(_log), () => _nowMs);
        guard.Poll(); // builds its index of clients with sessions
        return guard;
    }

    private void Feed(PppoeFrame frame, FrameDirection direction)
    {
        _time = _time.AddMilliseconds(10);
        _tracker.Observe(FrameView.Parse(frame.ToBytes()), _time, "eth0", direction);
    }

    private void Established(MacAddress client, MacAddress ac, ushort sid = Sid, VlanTag[]? vlans = null)
    {
        Feed(PppoeFrame.Discovery(PppoeCode.PADI, client, MacAddress.Broadcast, 0, Array.Empty<PppoeTag>(), vlans), FrameDirection.FromClient);
        Feed(PppoeFrame.Discovery(PppoeCode.PADO, ac, client, 0, Array.Empty<PppoeTag>(), vlans), FrameDirection.FromAc);
        Feed(PppoeFrame.Discovery(PppoeCode.PADR, client, ac, 0, Array.Empty<PppoeTag>(), vlans), FrameDirection.FromClient);
        Feed(PppoeFrame.Discovery(PppoeCode.PADS, ac, client, sid, Array.Empty<PppoeTag>(), vlans), FrameDirection.FromAc);
        Feed(PppoeFrame.Session(ac, client, sid, Lcp(9, 1), vlans), FrameDirection.FromAc);
        Feed(PppoeFrame.Session(client, ac, sid, Lcp(10, 1), vlans), FrameDirection.FromClient);
    }

    private static byte[] Lcp(byte code, byte id) => new byte[] { 0xC0, 0x21, code, id, 0, 8, 0, 0, 0, 0 };

    private static byte[] Padi(MacAddress client, VlanTag[]? vlans = null) =>
        PppoeFrame.Discovery(PppoeCode.PADI, client, MacAddress.Broadcast, 0, new[] { new PppoeTag(PppoeTagType.ServiceName, "") }, vlans).ToBytes();

    private void RunFor(GhostGuard guard, int ms)
    {
        for (int waited = 0; waited < ms; waited += 50)
        {
            _nowMs += 50;
            guard.Poll();
        }
    }

    [Fact]
    public void EndsTheOldSessionOfASilentClientBeforeItsNewDiscoveryGoesOn()
    {
        var vlans = VlanTag.FromIds(new[] { 10 });
        Established(Client, Ac, vlans: vlans);
        var guard = NewGuard();
        var padi = Padi(Client, vlans);

        Assert.Equal(GuardVerdict.Held, guard.OnDiscovery(FrameView.Parse(padi), canHold: true));
        RunFor(guard, 2_500);

        Assert.Equal(3, _actions.TowardClient.Count); // the probes, from the AC's MAC on the old session
        foreach (var bytes in _actions.TowardClient)
        {
            var probe = FrameView.Parse(bytes);
            Assert.Equal((Ac, Client, Sid), (probe.Source, probe.Destination, probe.SessionId));
            Assert.True(probe.IsLcp(PppProtocols.LcpEchoRequest));
            Assert.Equal((ushort)10, probe.OuterVlanId);
        }
        // The PADT first, from the client to the AC, with the id and VLAN; then the held PADI, unchanged.
        Assert.Equal(new[] { "ac", "release" }, _actions.Order);
        // The AC gets a moment to free the session before the new discovery reaches it.
        Assert.True(_actions.AtMs[1] - _actions.AtMs[0] >= 300, $"released {_actions.AtMs[1] - _actions.AtMs[0]} ms after the PADT");
        var padt = FrameView.Parse(_actions.TowardAc.Single());
        Assert.Equal((byte)PppoeCode.PADT, padt.Code);
        Assert.Equal((Client, Ac, Sid, (ushort)10), (padt.Source, padt.Destination, padt.SessionId, padt.OuterVlanId));
        Assert.Equal(padi, _actions.Released.Single());
        Assert.Equal(SessionState.Terminated, _tracker.Snapshot().Single(s => s.SessionId == Sid).State);
        var line = Assert.Single(_log.Lines, l => l.Text.Contains("PADT sent"));
        Assert.Contains("3 Echo-Request probe(s) went unanswered", line.Text);
        Assert.Equal(1, guard.Stats.GhostsEnded);
    }

    [Fact]
    public void KeepsASessionWhoseClientAnswersAndDoesNotAskAgainForAWhile()
    {
        Established(Client, Ac);
        var guard = NewGuard();
        var padi = Padi(Client);
        Assert.Equal(GuardVerdict.Held, guard.OnDiscovery(FrameView.Parse(padi), canHold: true));
        // A client paused for 1.2 s (a busy router) still answers within the window.
        RunFor(guard, 1_200);
        Assert.NotEmpty(_actions.TowardClient);
        Feed(PppoeFrame.Session(Client, Ac, Sid, Lcp(10, 7)), FrameDirection.FromClient); // the probe's answer
        RunFor(guard, 2_000);

        Assert.Empty(_actions.TowardAc);
        Assert.Equal(padi, _actions.Released.Single());
        Assert.Equal(SessionState.Established, _tracker.Snapshot().Single(s => s.SessionId == Sid).State);
        // A second service's PADI a moment later passes at once.
        Assert.Equal(GuardVerdict.Forward, guard.OnDiscovery(FrameView.Parse(padi), canHold: true));
        Assert.Equal(1, guard.Stats.HealthyKept);
    }

    [Fact]
    public void SendsNoPadtWhenNoProbeCouldReachTheClient()
    {
        // The client's tunnel went away, or the client is this host: silence then proves nothing.
        Established(Client, Ac);
        _actions.ProbeError = "no tunnel carries the client now";
        var guard = NewGuard();
        var padi = Padi(Client);
        Assert.Equal(GuardVerdict.Held, guard.OnDiscovery(FrameView.Parse(padi), canHold: true));
        RunFor(guard, 2_500);
        Assert.Empty(_actions.TowardAc);
        Assert.Equal(padi, _actions.Released.Single());
        Assert.Equal(SessionState.Established, _tracker.Snapshot().Single(s => s.SessionId == Sid).State);
        Assert.Contains(_log.Lines, l => l.Text.Contains("no probe could reach the client"));
    }

    [Fact]
    public void LeavesDiscoveryAloneWhenTheTrackerNeverSawASessionOfThatClient()
    {
        Established(OtherClient, Ac);
        var guard = NewGuard();
        Assert.Equal(GuardVerdict.Forward, guard.OnDiscovery(FrameView.Parse(Padi(Client)), canHold: true));
        RunFor(guard, 2_000);
        Assert.Empty(_actions.Order);
    }

    [Fact]
    public void NeverJudgesASessionOnWhichTheClientWasNeverHeard()
    {
        // A watcher on a switch port sees the AC's echoes but never the client's unicast answers.
        Feed(PppoeFrame.Session(Ac, Client, Sid, Lcp(9, 1)), FrameDirection.FromAc);
        Feed(PppoeFrame.Session(Ac, Client, Sid, Lcp(9, 2)), FrameDirection.FromAc);
        var guard = NewGuard();
        Assert.Equal(GuardVerdict.Forward, guard.OnDiscovery(FrameView.Parse(Padi(Client)), canHold: true));
        RunFor(guard, 2_000);
        Assert.Empty(_actions.Order);
    }

    [Fact]
    public void EndsAtOnceWithoutProbingWhenTheAcsOwnEchoesWentUnanswered()
    {
        Established(Client, Ac);
        for (byte id = 2; id < 5; id++) Feed(PppoeFrame.Session(Ac, Client, Sid, Lcp(9, id)), FrameDirection.FromAc);
        var guard = NewGuard();
        guard.OnDiscovery(FrameView.Parse(Padi(Client)), canHold: true);
        RunFor(guard, 50);
        Assert.Equal(new[] { "ac" }, _actions.Order); // at the first turn, no probe
        RunFor(guard, 350);
        Assert.Empty(_actions.TowardClient);
        Assert.Equal(new[] { "ac", "release" }, _actions.Order);
        Assert.Contains(_log.Lines, l => l.Text.Contains("the AC's last 3 Echo-Requests went unanswered"));
    }

    [Fact]
    public void APadrJudgesOnlyTheSessionWithTheAcItNames()
    {
        Established(Client, Ac);
        var guard = NewGuard();
        var padr = PppoeFrame.Discovery(PppoeCode.PADR, Client, OtherAc, 0, Array.Empty<PppoeTag>()).ToBytes();
        Assert.Equal(GuardVerdict.Forward, guard.OnDiscovery(FrameView.Parse(padr), canHold: true));
        var padrSameAc = PppoeFrame.Discovery(PppoeCode.PADR, Client, Ac, 0, Array.Empty<PppoeTag>()).ToBytes();
        Assert.Equal(GuardVerdict.Held, guard.OnDiscovery(FrameView.Parse(padrSameAc), canHold: true));
    }

    [Fact]
    public void ADiscoveryOnAnotherVlanIsAnotherClient()
    {
        Established(Client, Ac, vlans: VlanTag.FromIds(new[] { 10 }));
        var guard = NewGuard();
        Assert.Equal(GuardVerdict.Forward, guard.OnDiscovery(FrameView.Parse(Padi(Client, VlanTag.FromIds(new[] { 20 }))), canHold: true));
        Assert.Equal(GuardVerdict.Forward, guard.OnDiscovery(FrameView.Parse(Padi(Client)), canHold: true));
    }

    [Fact]
    public void ADryRunSaysWhatItWouldSendAndSendsNoPadt()
    {
        Established(Client, Ac);
        var guard = NewGuard(new GhostGuardOptions { DryRun = true });
        guard.OnDiscovery(FrameView.Parse(Padi(Client)), canHold: true);
        RunFor(guard, 2_500);
        Assert.Empty(_actions.TowardAc);
        Assert.Single(_actions.Released);
        Assert.Equal(1, guard.Stats.WouldEnd);
        Assert.Contains(_log.Lines, l => l.Text.Contains("would send PADT to AC"));
        Assert.Equal(SessionState.Established, _tracker.Snapshot().Single(s => s.SessionId == Sid).State);
    }

    [Fact]
    public void TheWatcherSendsTheClientsPadiAgainAfterThePadt()
    {
        Established(Client, Ac);
        var guard = NewGuard();
        var padi = Padi(Client);
        Assert.Equal(GuardVerdict.Forward, guard.OnDiscovery(FrameView.Parse(padi), canHold: false));
        RunFor(guard, 2_500);
        Assert.Equal(2, _actions.TowardAc.Count);
        Assert.Equal((byte)PppoeCode.PADT, FrameView.Parse(_actions.TowardAc[0]).Code);
        Assert.Equal(padi, _actions.TowardAc[1]);
        Assert.Empty(_actions.Released);
    }

    [Fact]
    public void RepeatedDiscoveryWhileJudgingKeepsOnlyTheLatestFrame()
    {
        Established(Client, Ac);
        var guard = NewGuard();
        for (int i = 0; i < 100; i++) guard.OnDiscovery(FrameView.Parse(Padi(Client)), canHold: true);
        var padr = PppoeFrame.Discovery(PppoeCode.PADR, Client, Ac, 0, Array.Empty<PppoeTag>()).ToBytes();
        guard.OnDiscovery(FrameView.Parse(padr), canHold: true);
        RunFor(guard, 2_500);
        Assert.Equal(padr, _actions.Released.Single());
        Assert.Single(_actions.TowardAc);
        Assert.Equal(1, guard.Stats.Checked);
    }

    [Fact]
    public void ClientsPastTheLimitAreForwardedUncheckedAndCounted()
    {
        var clients = Enumerable.Range(1, 3).Select(i => MacAddress.Parse($"02:00:00:00:01:{i:x2}")).ToArray();
        foreach (var client in clients) Established(client, Ac, sid: (ushort)(0x100 + clients.ToList().IndexOf(client)));
        var guard = NewGuard(new GhostGuardOptions { MaxPending = 2 });
        var verdicts = clients.Select(c => guard.OnDiscovery(FrameView.Parse(Padi(c)), canHold: true)).ToArray();
        Assert.Equal(new[] { GuardVerdict.Held, GuardVerdict.Held, GuardVerdict.Forward }, verdicts);
        Assert.Equal(1, guard.Stats.Overflow);
        Assert.Single(_log.Lines, l => l.Text.Contains("forwarded unchecked"));
    }

    [Fact]
    public void PollingWithNothingPendingAllocatesNothing()
    {
        // Poll runs on every capture-loop turn: the index of clients with sessions is rebuilt once a second, not per turn.
        for (int i = 0; i < 50; i++) Established(MacAddress.Parse($"02:00:00:00:02:{i:x2}"), Ac, sid: (ushort)(0x200 + i));
        var guard = NewGuard();
        guard.Poll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) guard.Poll();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void TurnedOffItForwardsEverything()
    {
        Established(Client, Ac);
        var guard = NewGuard(new GhostGuardOptions { Enabled = false });
        Assert.Equal(GuardVerdict.Forward, guard.OnDiscovery(FrameView.Parse(Padi(Client)), canHold: true));
        RunFor(guard, 2_000);
        Assert.Empty(_actions.Order);
    }

    private sealed class RecordingActions(Func<long> clockMs) : IGuardActions
    {
        public List<long> AtMs { get; } = new();
        public List<byte[]> TowardAc { get; } = new();
        public List<byte[]> TowardClient { get; } = new();
        public List<byte[]> Released { get; } = new();
        public List<string> Order { get; } = new();

        public string? SendTowardAc(ReadOnlySpan<byte> frame)
        {
            TowardAc.Add(frame.ToArray());
            Order.Add("ac");
            AtMs.Add(clockMs());
            return null;
        }

        public string? ProbeError { get; set; }

        public string? SendTowardClient(ReadOnlySpan<byte> frame)
        {
            if (ProbeError is not null) return ProbeError;
            TowardClient.Add(frame.ToArray());
            return null;
        }

        public void Release(ReadOnlySpan<byte> heldDiscovery)
        {
            Released.Add(heldDiscovery.ToArray());
            Order.Add("release");
            AtMs.Add(clockMs());
        }
    }
}
