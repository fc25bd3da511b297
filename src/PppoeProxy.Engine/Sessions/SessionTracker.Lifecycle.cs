using System.Collections.Concurrent;

namespace PppoeProxy.Engine.Sessions;

/// <summary>
/// The tracker's bounds for a proxy that runs for months: a hard cap on entries, ended sessions and
/// unfinished discoveries swept out after a while, per-owner (per-tunnel) counts of live entries.
/// The frame path only compares counters; the work is in <see cref="Sweep"/>, which the proxy ends
/// call from their 250 ms loops.
/// </summary>
public sealed partial class SessionTracker
{
    /// <summary>
    /// An ended session stays this long: status and Get-PppoeSession still show how it ended, and the
    /// AC's late frames for it (retransmitted PADT, a last echo) match it instead of opening a
    /// "mid-stream" session. A minute covers any retransmission; churn then costs nothing.
    /// </summary>
    public static readonly TimeSpan TerminatedRetention = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A discovery (PADI/PADO/PADR, no session id yet) silent this long is abandoned: clients retry every
    /// few seconds (rp-pppoe and pppd wait 3–5 s, doubling) and every frame refreshes the entry, so 30 s of
    /// silence means the client gave up.
    /// </summary>
    public static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Only when the table is full: an established session with no frame either way for this long may be
    /// evicted (counted, logged). A live PPP session echoes well within it (pppd and ACs: every 10–60 s),
    /// so such a session is dead; a ghost still has the AC's echoes and is never idle.
    /// </summary>
    public static readonly TimeSpan IdleEvictionAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<long, SessionOwnerCount> _owners = new();
    // Entries in both tables, kept by hand: ConcurrentDictionary.Count takes every lock.
    private int _entries;
    private long _refusedFull, _refusedOwnerLimit, _expired, _evicted, _evictedIdle;

    /// <summary>Entries (sessions and discoveries) at most.</summary>
    public int MaxSessions { get; }
    /// <summary>Entries now: sessions in every state and discoveries in progress.</summary>
    public int Entries => Volatile.Read(ref _entries);
    /// <summary>New sessions or discoveries not recorded because the table was full.</summary>
    public long RefusedFull => Interlocked.Read(ref _refusedFull);
    /// <summary>New sessions or discoveries refused because their owner (tunnel) was at its limit.</summary>
    public long RefusedOwnerLimit => Interlocked.Read(ref _refusedOwnerLimit);
    public long Expired => Interlocked.Read(ref _expired);
    public long Evicted => Interlocked.Read(ref _evicted);
    public long EvictedIdle => Interlocked.Read(ref _evictedIdle);

    /// <summary>Live (discovering or established) entries of one owner, as of the last sweep plus those added since.</summary>
    public int LiveCountOf(long owner) => _owners.TryGetValue(owner, out var count) ? Volatile.Read(ref count.Live) : 0;

    private bool MayAdd(SessionAdmission admission, bool live)
    {
        // History (a PADT for a session never seen) may fill half the table at most: it must never crowd out live sessions.
        if (Volatile.Read(ref _entries) >= (live ? MaxSessions : MaxSessions / 2))
        {
            Interlocked.Increment(ref _refusedFull);
            return false;
        }
        if (live && admission.Owner != 0 && LiveCountOf(admission.Owner) >= admission.OwnerLimit)
        {
            Interlocked.Increment(ref _refusedOwnerLimit);
            return false;
        }
        return true;
    }

    private PppoeSession AddOrGet(SessionKey key, PppoeSession session)
    {
        if (_sessions.TryAdd(key, session))
        {
            Added(session.Owner, session.State != SessionState.Terminated);
            return session;
        }
        return _sessions.TryGetValue(key, out var existing) ? existing : _sessions.GetOrAdd(key, session);
    }

    private void Added(long owner, bool live = true)
    {
        Interlocked.Increment(ref _entries);
        // One allocation per owner (tunnel), not per frame: the factory is static.
        if (live && owner != 0) Interlocked.Increment(ref _owners.GetOrAdd(owner, static _ => new SessionOwnerCount()).Live);
    }

    private void Removed() => Interlocked.Decrement(ref _entries);

    /// <summary>
    /// Removes ended sessions after <see cref="TerminatedRetention"/> and discoveries silent for
    /// <see cref="DiscoveryTimeout"/>; when the table is nearly full, evicts early (oldest first) ended
    /// sessions, then discoveries, then established sessions idle for <see cref="IdleEvictionAge"/>, never
    /// an active one. Then recounts each owner's live entries. Off the frame path: allocates freely.
    /// </summary>
    /// <summary>Client MACs of every entry (sessions in any state and discoveries), for sweeps of tables keyed by MAC.</summary>
    public HashSet<ulong> ClientMacs()
    {
        var macs = new HashSet<ulong>();
        foreach (var session in _sessions.Values) macs.Add(session.ClientMac.Value);
        foreach (var key in _padiSeen.Keys) macs.Add(key.Client);
        return macs;
    }

    /// <summary>
    /// Adds the key (and client MAC) of every established session an owner (tunnel) carries and the AC was heard on: the sessions
    /// a server's budget counts. A session only a tunnel talks of (a guessed id, the AC silent) is not one at the AC.
    /// </summary>
    public void CollectAcConfirmedSessions(IDictionary<SessionKey, ulong> into)
    {
        foreach (var (key, session) in _sessions)
            if (session.Owner != 0 && session.State == SessionState.Established && session.SessionId != 0 && session.LastFromServer is not null)
                into[key] = session.ClientMac.Value;
    }

    public SessionSweep Sweep(DateTimeOffset now)
    {
        int expired = 0;
        foreach (var entry in _sessions)
        {
            var session = entry.Value;
            var age = now - session.LastSeen;
            bool over = session.State switch
            {
                SessionState.Terminated => age >= TerminatedRetention,
                SessionState.Discovering => age >= DiscoveryTimeout,
                _ => false,
            };
            if (over && RemoveSession(entry)) expired++;
        }
        foreach (var entry in _padiSeen)
            if (now - entry.Value.LastSeen >= DiscoveryTimeout && RemovePadi(entry)) expired++;

        var (evicted, evictedIdle) = EvictUnderPressure(now);
        Recount();
        Interlocked.Add(ref _expired, expired);
        Interlocked.Add(ref _evicted, evicted);
        Interlocked.Add(ref _evictedIdle, evictedIdle);
        return new SessionSweep(expired, evicted, evictedIdle);
    }

    // Keeps a sixteenth of the table free, so a legitimate dial finds room between two sweeps.
    private (int Evicted, int EvictedIdle) EvictUnderPressure(DateTimeOffset now)
    {
        int target = MaxSessions - Math.Max(1, MaxSessions / 16);
        if (Volatile.Read(ref _entries) <= target) return (0, 0);
        int evicted = 0, evictedIdle = 0;
        var ended = _sessions.Where(e => e.Value.State == SessionState.Terminated).OrderBy(e => e.Value.LastSeen);
        foreach (var entry in ended)
        {
            if (Volatile.Read(ref _entries) <= target) return (evicted, evictedIdle);
            if (RemoveSession(entry)) evicted++;
        }
        // Both kinds of unfinished discovery, oldest first, each with the way to remove it.
        var discoveries = _sessions.Where(e => e.Value.State == SessionState.Discovering)
            .Select(e => (e.Value.LastSeen, Remove: (Func<bool>)(() => RemoveSession(e))))
            .Concat(_padiSeen.Select(e => (e.Value.LastSeen, Remove: (Func<bool>)(() => RemovePadi(e)))))
            .OrderBy(d => d.LastSeen);
        foreach (var discovery in discoveries)
        {
            if (Volatile.Read(ref _entries) <= target) return (evicted, evictedIdle);
            if (discovery.Remove()) evicted++;
        }
        var idle = _sessions.Where(e => e.Value.State == SessionState.Established && now - e.Value.LastSeen >= IdleEvictionAge)
            .OrderBy(e => e.Value.LastSeen);
        foreach (var entry in idle)
        {
            if (Volatile.Read(ref _entries) <= target) break;
            if (RemoveSession(entry)) evictedIdle++;
        }
        return (evicted, evictedIdle);
    }

    // Removes the entry only if it is still the same object: a frame may have replaced it meanwhile.
    private bool RemoveSession(KeyValuePair<SessionKey, PppoeSession> entry)
    {
        if (!_sessions.TryRemove(entry)) return false;
        Removed();
        return true;
    }

    private bool RemovePadi(KeyValuePair<(ulong Client, uint Vlan), PppoeSession> entry)
    {
        if (!_padiSeen.TryRemove(entry)) return false;
        Removed();
        return true;
    }

    private void Recount()
    {
        var live = new Dictionary<long, int>();
        foreach (var session in _sessions.Values.Concat(_padiSeen.Values))
            if (session.Owner != 0 && session.State != SessionState.Terminated)
                live[session.Owner] = live.GetValueOrDefault(session.Owner) + 1;
        foreach (var (owner, count) in _owners)
        {
            int now = live.GetValueOrDefault(owner);
            Volatile.Write(ref count.Live, now);
            // An owner with nothing left (a closed tunnel) is forgotten; a new frame of its would start it again.
            if (now == 0) _owners.TryRemove(new KeyValuePair<long, SessionOwnerCount>(owner, count));
        }
        // Owners whose sessions moved to them (a resumed tunnel) without opening any.
        foreach (var (owner, now) in live)
            if (!_owners.ContainsKey(owner)) Volatile.Write(ref _owners.GetOrAdd(owner, static _ => new SessionOwnerCount()).Live, now);
    }
}
