using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Guard;

/// <summary>
/// Ends ghost sessions the moment their client comes back. A PPPoE client that restarts without a PADT
/// starts discovery (PADI, then PADR) while the AC still holds its old session, and many ACs refuse the
/// new one until the old one times out. When a client MAC starts discovery and the tracker holds an
/// established session of that MAC (with that AC, for a PADR), the guard asks the client: a few LCP
/// Echo-Requests on the old session, from the AC's MAC. A client still running that session answers
/// (it is opening a second service: nothing is sent); one that restarted has forgotten the session and
/// says nothing on it, so the guard sends the AC the PADT the client never did, from the client's MAC
/// with the session id and VLAN tags. The AC's own unanswered Echo-Requests, when there are enough, are
/// evidence enough without asking. A proxy end holds the discovery frame until the verdict, so the
/// PADT reaches the AC first; the watcher, which is not in the path, sends the client's PADI again.
/// Never for a session the tracker did not see both sides speak on; one log line per PADT, with the evidence.
/// Threads: <see cref="OnDiscovery"/> from any thread (a tunnel's reader), <see cref="Poll"/> from the one
/// that may send (the capture thread). Discovery frames only: session frames never come here.
/// </summary>
public sealed class GhostGuard
{
    private readonly SessionTracker _tracker;
    private readonly GhostGuardOptions _options;
    private readonly IGuardActions _actions;
    private readonly ILogger _log;
    private readonly RateLimitedLog _limitedLog;
    private readonly Func<long> _clockMs;
    private readonly object _gate = new();
    private readonly List<GuardCase> _cases = new();
    // Judged cases whose discovery waits for the AC to settle after our PADT (only the Poll thread touches it).
    private readonly List<GuardCase> _releasing = new();
    // Sessions whose client answered: a client opening a second service sends more discovery, not probed each time.
    private readonly Dictionary<SessionKey, long> _aliveUntilMs = new();
    // Refreshed once a second, so a discovery from a MAC with no session (nearly all of them) takes no lock.
    private volatile HashSet<(ulong Mac, uint Vlan)> _clientsWithSessions = new();
    private long _nextIndexMs;
    // Once a second: a ghost is an old session, and the rebuild allocates (it must never run per frame).
    private const long IndexRefreshMs = 1000;
    private int _pending;
    private byte _probeId;
    private long _checked, _probes, _ghostsEnded, _wouldEnd, _healthyKept, _held, _overflow, _sendFailures;

    public GhostGuard(SessionTracker tracker, GhostGuardOptions options, IGuardActions actions, ILogger log, RateLimitedLog limitedLog,
        Func<long>? clockMs = null)
    {
        _tracker = tracker;
        _options = options;
        _actions = actions;
        _log = log;
        _limitedLog = limitedLog;
        _clockMs = clockMs ?? (() => Environment.TickCount64);
    }

    public bool Enabled => _options.Enabled;

    public GhostGuardStats Stats => new(_options.Enabled, _options.DryRun, Interlocked.Read(ref _checked), Interlocked.Read(ref _probes),
        Interlocked.Read(ref _ghostsEnded), Interlocked.Read(ref _wouldEnd), Interlocked.Read(ref _healthyKept), Interlocked.Read(ref _held),
        Interlocked.Read(ref _overflow), Interlocked.Read(ref _sendFailures), Volatile.Read(ref _pending));

    /// <summary>A discovery frame from the client side; <paramref name="canHold"/> when the caller can wait for the verdict.</summary>
    public GuardVerdict OnDiscovery(in FrameView frame, bool canHold) => OnDiscovery(frame, canHold, frame.Bytes);

    /// <summary>As above; <paramref name="toHold"/> are the bytes to release later (a proxy end's rewritten frame).</summary>
    public GuardVerdict OnDiscovery(in FrameView frame, bool canHold, ReadOnlySpan<byte> toHold)
    {
        if (!_options.Enabled || !frame.IsDiscovery || !frame.IsValid) return GuardVerdict.Forward;
        bool padr = frame.Code == (byte)PppoeCode.PADR;
        if (!padr && frame.Code != (byte)PppoeCode.PADI) return GuardVerdict.Forward;
        var client = frame.Source;
        uint vlan = SessionTracker.VlanKey(frame);
        if (!_clientsWithSessions.Contains((client.Value, vlan))) return GuardVerdict.Forward;
        canHold &= toHold.Length <= GuardCase.MaxFrame;
        long now = _clockMs();
        lock (_gate)
        {
            var pending = Pending(client, vlan);
            if (pending is null)
            {
                var candidates = Candidates(client, vlan, padr ? frame.Destination : null, now);
                if (candidates.Count == 0) return GuardVerdict.Forward;
                Interlocked.Increment(ref _checked);
                if (_cases.Count >= _options.MaxPending)
                {
                    Interlocked.Increment(ref _overflow);
                    _limitedLog.Warning("guard-overflow", "ghost guard: {Max} clients already being checked; discovery from {Client} forwarded unchecked",
                        _options.MaxPending, client);
                    return GuardVerdict.Forward;
                }
                pending = new GuardCase(client, vlan, now, padr ? $"PADR to {frame.Destination}" : "PADI", candidates);
                _cases.Add(pending);
                Volatile.Write(ref _pending, _cases.Count);
            }
            if (!canHold)
            {
                if (!padr) pending.RememberPadi(frame.Bytes);
                return GuardVerdict.Forward;
            }
            pending.Hold(toHold); // a repeat (or the PADR after an earlier PADI) replaces what was held
            Interlocked.Increment(ref _held);
            return GuardVerdict.Held;
        }
    }

    /// <summary>Sends probes, PADTs and held frames that are due. Cheap when nothing is pending; call every loop turn.</summary>
    public void Poll()
    {
        if (!_options.Enabled) return;
        long now = _clockMs();
        if (now >= Volatile.Read(ref _nextIndexMs)) RefreshIndex(now);
        if (_releasing.Count > 0) ReleaseDue(now);
        if (Volatile.Read(ref _pending) == 0) return;
        List<(GuardCandidate Candidate, byte Id)>? probes = null;
        List<GuardCase>? decided = null;
        lock (_gate)
        {
            for (int i = _cases.Count - 1; i >= 0; i--)
            {
                var pending = _cases[i];
                if (!Advance(pending, now, ref probes)) continue;
                (decided ??= new()).Add(pending);
                _cases.RemoveAt(i);
            }
            Volatile.Write(ref _pending, _cases.Count);
        }
        if (probes is not null)
            foreach (var (candidate, id) in probes)
                if (SendProbe(candidate.Session, id)) candidate.ProbesDelivered++;
        if (decided is not null) foreach (var pending in decided) Finish(pending, now);
        if (_releasing.Count > 0) ReleaseDue(now);
    }

    private void ReleaseDue(long now)
    {
        for (int i = 0; i < _releasing.Count; i++)
        {
            var pending = _releasing[i];
            if (pending.ReleaseAtMs > now) continue;
            _releasing.RemoveAt(i--);
            Release(pending);
        }
    }

    private void Release(GuardCase pending)
    {
        if (pending.Held is not null) _actions.Release(pending.HeldFrame);
        else if (pending.Padi is not null && _actions.SendTowardAc(pending.PadiFrame) is { } error)
            _limitedLog.Warning("guard-padi-failed", "ghost guard: PADI of {Client} not sent again: {Error}", pending.Client, error);
    }

    private GuardCase? Pending(MacAddress client, uint vlan)
    {
        foreach (var pending in _cases)
            if (pending.Client == client && pending.Vlan == vlan) return pending;
        return null;
    }

    private List<GuardCandidate> Candidates(MacAddress client, uint vlan, MacAddress? ac, long now)
    {
        var candidates = new List<GuardCandidate>();
        foreach (var session in _tracker.GuardCandidates(client, vlan, ac))
        {
            if (_aliveUntilMs.TryGetValue(KeyOf(session), out long until) && until > now) continue;
            candidates.Add(new GuardCandidate(session)
            {
                // Enough of the AC's own Echo-Requests went unanswered: no need to ask again.
                Ghost = session.AcEchoesSinceClientSpoke >= _options.UnansweredAcEchoesForGhost,
            });
        }
        return candidates;
    }

    // True when every candidate of the case is decided (or the window is over).
    private bool Advance(GuardCase pending, long now, ref List<(GuardCandidate, byte)>? probes)
    {
        foreach (var candidate in pending.Candidates)
        {
            if (candidate.Decided) continue;
            if (candidate.Session.State != SessionState.Established) candidate.Gone = true;
            else if (candidate.Session.FramesFromClient > candidate.ClientFramesAtStart) candidate.Alive = true;
        }
        if (pending.Candidates.TrueForAll(c => c.Decided)) return true;
        if (now - pending.StartedMs >= (long)_options.ProbeWindow.TotalMilliseconds)
        {
            foreach (var candidate in pending.Candidates)
            {
                if (candidate.Decided) continue;
                if (candidate.ProbesDelivered > 0) candidate.Ghost = true;
                else candidate.Unasked = true;
            }
            return true;
        }
        if (pending.ProbesSent < _options.ProbeCount && now >= pending.NextProbeMs)
        {
            pending.ProbesSent++;
            pending.NextProbeMs = pending.StartedMs + (long)_options.ProbeWindow.TotalMilliseconds * pending.ProbesSent / _options.ProbeCount;
            byte id = unchecked(++_probeId);
            foreach (var candidate in pending.Candidates)
                if (!candidate.Decided) (probes ??= new()).Add((candidate, id));
        }
        return false;
    }

    private bool SendProbe(PppoeSession session, byte id)
    {
        // LCP Echo-Request: code 9, id, length 8, magic 0 (RFC 1661 allows it; pppd answers any Echo-Request while open).
        var payload = new byte[] { 0xC0, 0x21, PppProtocols.LcpEchoRequest, id, 0, 8, 0, 0, 0, 0 };
        var probe = PppoeFrame.Session(session.ServerMac, session.ClientMac, (ushort)session.SessionId, payload, session.VlanTags).ToBytes();
        if (_actions.SendTowardClient(probe) is { } error)
        {
            Interlocked.Increment(ref _sendFailures);
            _limitedLog.Warning("guard-probe-failed", "ghost guard: probe to {Client} not sent: {Error}", session.ClientMac, error);
            return false;
        }
        Interlocked.Increment(ref _probes);
        return true;
    }

    private void Finish(GuardCase pending, long now)
    {
        bool ended = false;
        foreach (var candidate in pending.Candidates)
        {
            if (candidate.Alive) KeepAlive(candidate, pending, now);
            else if (candidate.Ghost) ended |= End(candidate, pending, now);
            else if (candidate.Unasked)
                _limitedLog.Warning("guard-unasked", "ghost guard: no PADT for session {Session} of {Client}: no probe could reach the client, so its silence proves nothing",
                    candidate.Session.SessionId, pending.Client);
        }
        if (!ended)
        {
            // Nothing ended: a held frame goes on at once; the watcher's client heard the AC's answer already.
            if (pending.Held is not null) _actions.Release(pending.HeldFrame);
            return;
        }
        pending.ReleaseAtMs = now + (long)_options.SettleAfterPadt.TotalMilliseconds;
        _releasing.Add(pending);
    }

    private void KeepAlive(GuardCandidate candidate, GuardCase pending, long now)
    {
        Interlocked.Increment(ref _healthyKept);
        lock (_gate) _aliveUntilMs[KeyOf(candidate.Session)] = now + (long)_options.AliveVerdictFor.TotalMilliseconds;
        _limitedLog.Information("guard-alive", "ghost guard: client {Client} answers on session {Session} with AC {Ac}; its {Trigger} goes on, no PADT",
            pending.Client, candidate.Session.SessionId, candidate.Session.ServerMac, pending.Trigger);
    }

    private bool End(GuardCandidate candidate, GuardCase pending, long now)
    {
        var session = candidate.Session;
        string evidence = Evidence(candidate, pending, now);
        string vlans = session.VlanTags.Length == 0 ? "" : $" VLAN {string.Join('.', session.VlanTags.Select(t => t.Id))}";
        if (_options.DryRun)
        {
            Interlocked.Increment(ref _wouldEnd);
            _log.LogWarning("ghost guard (dry run): would send PADT to AC {Ac} for session {Session} of client {Client}{Vlans}: {Evidence}",
                session.ServerMac, session.SessionId, session.ClientMac, vlans, evidence);
            return false;
        }
        var padt = PadtForge.Padt(session.ClientMac, session.ServerMac, (ushort)session.SessionId, session.VlanTags,
            "pppoeproxy ghost guard: the client restarted").ToBytes();
        if (_actions.SendTowardAc(padt) is { } error)
        {
            Interlocked.Increment(ref _sendFailures);
            _limitedLog.Warning("guard-padt-failed", "ghost guard: PADT for session {Session} of {Client} not sent: {Error}", session.SessionId, session.ClientMac, error);
            return false;
        }
        _tracker.MarkTerminated(session);
        Interlocked.Increment(ref _ghostsEnded);
        _log.LogWarning("ghost guard: PADT sent to AC {Ac} for session {Session} of client {Client}{Vlans}: {Evidence}",
            session.ServerMac, session.SessionId, session.ClientMac, vlans, evidence);
        return true;
    }

    private string Evidence(GuardCandidate candidate, GuardCase pending, long now)
    {
        string last = candidate.LastFromClient is { } at ? $"{(DateTimeOffset.UtcNow - at).TotalSeconds:0.0} s ago" : "never";
        string asked = candidate.AcEchoesUnanswered >= _options.UnansweredAcEchoesForGhost
            ? $"the AC's last {candidate.AcEchoesUnanswered} Echo-Requests went unanswered"
            : $"{pending.ProbesSent} Echo-Request probe(s) went unanswered for {(now - pending.StartedMs) / 1000.0:0.0} s ({candidate.AcEchoesUnanswered} of the AC's too)";
        return $"the client restarted discovery ({pending.Trigger}) and {asked}; its last frame on the session was {last}";
    }

    private void RefreshIndex(long now)
    {
        Volatile.Write(ref _nextIndexMs, now + IndexRefreshMs);
        _clientsWithSessions = _tracker.ClientsWithSessions();
        lock (_gate)
        {
            if (_aliveUntilMs.Count == 0) return;
            foreach (var expired in _aliveUntilMs.Where(e => e.Value <= now).Select(e => e.Key).ToList()) _aliveUntilMs.Remove(expired);
        }
    }

    private static SessionKey KeyOf(PppoeSession session) =>
        SessionKey.Of(session.ClientMac, session.ServerMac, (ushort)session.SessionId, SessionTracker.VlanKey(session.VlanTags));
}
