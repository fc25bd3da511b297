using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Tunnel.Limits;

/// <summary>
/// The server's session budget (--max-sessions): sessions at the AC held by all tunnels together, plus
/// discoveries in flight, never more than <see cref="Max"/>. Only tunnelled sessions count: the server
/// cannot see sessions it does not carry (the home router's own), so the admin subtracts those.
/// A discovery takes a slot at its first PADI (one per client MAC and VLAN, however often it repeats) and
/// gives it back at the AC's PADS (the session then holds a slot) or after <see cref="SessionTracker.DiscoveryTimeout"/>
/// of silence; a session gives its slot back at a PADT either way or when the tracker lets it go.
/// Discovery and session ends take a lock (check and reserve must be one step, or two tunnels' PADIs
/// could both take the last slot); session data frames never come here.
/// </summary>
public sealed class SessionBudget
{
    /// <summary>
    /// A second PADR within this time of the first, before any PADS, may open a second session at the AC
    /// (rp-pppoe's AC answers each PADR): it needs a free slot of its own. Clients resend a PADR after 5 s.
    /// </summary>
    public static readonly TimeSpan PadrWait = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A discovery that never got as far as a PADR gives its slot back after this much silence, not after the
    /// tracker's 30 s: one stray PADI (any MAC on a remote LAN) held a one-slot line for 30 s (hostile probe).
    /// A live client repeats its PADI within 5 s (rp-pppoe, pppd: 3-5 s) and keeps the slot.
    /// </summary>
    public static readonly TimeSpan PadiOnlyTimeout = TimeSpan.FromSeconds(6);

    private sealed class Slot
    {
        public long LastSeenMs;
        public long PadrUntilMs;
        public int ExtraPadrs;
        public bool SawPadr;
    }

    private readonly object _gate = new();
    private readonly Dictionary<(ulong Mac, uint Vlan), Slot> _discoveries = new();
    // Sessions counted, each with its client MAC; and how many each client (MAC, VLAN) holds, for HoldsSession.
    private readonly Dictionary<SessionKey, ulong> _sessions = new();
    private readonly Dictionary<(ulong Mac, uint Vlan), int> _sessionsOf = new();
    private readonly Dictionary<SessionKey, ulong> _scratch = new(); // the sweep's, under the lock
    private readonly Func<long> _clockMs;
    private int _reserved; // discovery slots plus their extra PADRs

    public SessionBudget(int max, Func<long>? clockMs = null)
    {
        Max = max > 0 ? max : throw new ArgumentOutOfRangeException(nameof(max), "must be positive");
        _clockMs = clockMs ?? (() => Environment.TickCount64);
    }

    public int Max { get; }

    /// <summary>Sessions at the AC the budget counts now (established through a tunnel, the AC heard).</summary>
    public int Sessions { get { lock (_gate) return _sessions.Count; } }

    /// <summary>Slots held by discoveries in flight.</summary>
    public int Discoveries { get { lock (_gate) return _reserved; } }

    /// <summary>
    /// A PADI or PADR a tunnel sent: true when it may go to the AC (its slot is reserved), false when the
    /// budget is full. <paramref name="added"/> says a new slot was taken, which <see cref="Release"/> gives back
    /// if the frame is refused later for another reason.
    /// </summary>
    public bool TryAdmit(MacAddress client, uint vlan, bool padr, out bool added)
    {
        added = false;
        long now = _clockMs();
        var key = (client.Value, vlan);
        lock (_gate)
        {
            if (_discoveries.TryGetValue(key, out var slot))
            {
                // The client's own discovery, repeated: its slot is already counted (the "other MACs" rule).
                slot.LastSeenMs = now;
                if (!padr) return true;
                slot.SawPadr = true;
                if (now >= slot.PadrUntilMs)
                {
                    // The earlier PADRs went unanswered: this one starts afresh, their extra slots are free.
                    slot.PadrUntilMs = now + (long)PadrWait.TotalMilliseconds;
                    _reserved -= slot.ExtraPadrs;
                    slot.ExtraPadrs = 0;
                    return true;
                }
                if (InUse >= Max) return false;
                slot.ExtraPadrs++;
                _reserved++;
                return true;
            }
            if (InUse >= Max) return false;
            _discoveries[key] = new Slot { LastSeenMs = now, PadrUntilMs = padr ? now + (long)PadrWait.TotalMilliseconds : 0, SawPadr = padr };
            _reserved++;
            added = true;
            return true;
        }
    }

    /// <summary>
    /// A discovery frame the ghost guard held, about to go to the AC: true when its slot is still there (it was
    /// admitted before it was held), or there is room now (it was held over the budget, and the guard has since
    /// ended the client's ghost session). False: the budget is still full.
    /// </summary>
    public bool Readmit(MacAddress client, uint vlan, bool padr)
    {
        lock (_gate)
            if (_discoveries.TryGetValue((client.Value, vlan), out var slot))
            {
                slot.LastSeenMs = _clockMs();
                return true;
            }
        return TryAdmit(client, vlan, padr, out _);
    }

    /// <summary>
    /// True when the client (MAC, VLAN) holds a counted session of its own: a full budget may then be its own
    /// ghost (it restarted without a PADT), which the ghost guard can end to make room.
    /// </summary>
    public bool HoldsSession(MacAddress client, uint vlan)
    {
        lock (_gate) return _sessionsOf.ContainsKey((client.Value, vlan));
    }

    /// <summary>Gives back a slot <see cref="TryAdmit"/> just took for a frame that was not forwarded after all.</summary>
    public void Release(MacAddress client, uint vlan)
    {
        lock (_gate) RemoveDiscovery((client.Value, vlan));
    }

    /// <summary>
    /// The AC's PADS to a tunnelled client: the discovery's slot becomes the session's (session id 0: the AC
    /// refused, the slot is free).
    /// </summary>
    public void SessionUp(MacAddress client, MacAddress ac, ushort sessionId, uint vlan)
    {
        lock (_gate)
        {
            var key = (client.Value, vlan);
            if (_discoveries.TryGetValue(key, out var slot) && slot.ExtraPadrs > 0 && _clockMs() < slot.PadrUntilMs)
            {
                slot.ExtraPadrs--; // another PADR of this client may still be answered
                _reserved--;
            }
            else RemoveDiscovery(key);
            if (sessionId != 0) AddSession(SessionKey.Of(client, ac, sessionId, vlan), client.Value);
        }
    }

    /// <summary>A session ended (a PADT either way, or ours): its slot is free at once.</summary>
    public void SessionDown(MacAddress a, MacAddress b, ushort sessionId, uint vlan)
    {
        var key = SessionKey.Of(a, b, sessionId, vlan);
        lock (_gate) RemoveSession(key);
    }

    /// <summary>
    /// From the server's 250 ms loop: discoveries silent for <see cref="SessionTracker.DiscoveryTimeout"/> and
    /// extra PADRs past <see cref="PadrWait"/> give their slots back; the sessions become exactly those the
    /// tracker holds as established with the AC heard (swept or evicted ones leave, resumed or claimed ones join).
    /// </summary>
    public void Sweep(SessionTracker tracker)
    {
        long now = _clockMs(), timeout = (long)SessionTracker.DiscoveryTimeout.TotalMilliseconds, padiOnly = (long)PadiOnlyTimeout.TotalMilliseconds;
        lock (_gate)
        {
            List<(ulong, uint)>? gone = null;
            foreach (var (key, slot) in _discoveries)
            {
                if (now - slot.LastSeenMs >= (slot.SawPadr ? timeout : padiOnly)) (gone ??= new()).Add(key);
                else if (slot.ExtraPadrs > 0 && now >= slot.PadrUntilMs)
                {
                    _reserved -= slot.ExtraPadrs;
                    slot.ExtraPadrs = 0;
                }
            }
            if (gone is not null) foreach (var key in gone) RemoveDiscovery(key);
            _scratch.Clear();
            tracker.CollectAcConfirmedSessions(_scratch);
            _sessions.Clear();
            _sessionsOf.Clear();
            foreach (var (key, client) in _scratch) AddSession(key, client);
        }
    }

    /// <summary>A copy of the counts for status.</summary>
    public SessionBudgetStatus Status()
    {
        lock (_gate) return new SessionBudgetStatus(Max, _sessions.Count, _reserved);
    }

    private int InUse => _sessions.Count + _reserved;

    private void AddSession(SessionKey key, ulong client)
    {
        if (!_sessions.TryAdd(key, client)) return;
        var of = (client, key.Vlan);
        _sessionsOf[of] = _sessionsOf.GetValueOrDefault(of) + 1;
    }

    private void RemoveSession(SessionKey key)
    {
        if (!_sessions.Remove(key, out ulong client)) return;
        var of = (client, key.Vlan);
        int left = _sessionsOf.GetValueOrDefault(of) - 1;
        if (left > 0) _sessionsOf[of] = left;
        else _sessionsOf.Remove(of);
    }

    private void RemoveDiscovery((ulong, uint) key)
    {
        if (_discoveries.Remove(key, out var slot)) _reserved -= 1 + slot.ExtraPadrs;
    }
}
