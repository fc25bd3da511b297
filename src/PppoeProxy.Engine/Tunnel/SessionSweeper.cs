using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// Runs a proxy end's <see cref="SessionTracker.Sweep"/> from its 250 ms loop and reports, rate-limited,
/// what the frame path only counted: evictions from a full table, and frames refused by the session
/// limits (per tunnel, from each link's <see cref="DropReason.SessionLimit"/> count).
/// </summary>
internal sealed class SessionSweeper
{
    private readonly SessionTracker _tracker;
    private readonly RateLimitedLog _log;
    private readonly int? _perTunnelLimit;
    private readonly Dictionary<long, long> _refusalsReported = new();
    private long _fullReported;

    public SessionSweeper(SessionTracker tracker, RateLimitedLog log, int? perTunnelLimit)
    {
        _tracker = tracker;
        _log = log;
        _perTunnelLimit = perTunnelLimit;
    }

    public void Sweep(IEnumerable<TunnelLink> links)
    {
        var swept = _tracker.Sweep(DateTimeOffset.UtcNow);
        if (swept.Evicted > 0)
            _log.Warning("sessions-evicted", "session table full ({Max}, --max-tracked-sessions): forgot {Count} ended session(s) or unfinished discovery(ies) early",
                _tracker.MaxSessions, swept.Evicted);
        if (swept.EvictedIdle > 0)
            _log.Warning("sessions-evicted-idle", "session table full ({Max}, --max-tracked-sessions): forgot {Count} established session(s) silent for over {Minutes} min",
                _tracker.MaxSessions, swept.EvictedIdle, SessionTracker.IdleEvictionAge.TotalMinutes);
        long full = _tracker.RefusedFull;
        if (full > _fullReported)
        {
            _log.Warning("sessions-table-full", "session table full ({Max}, --max-tracked-sessions): {Count} new session(s) or discovery(ies) not tracked{Refused}",
                _tracker.MaxSessions, full - _fullReported, _perTunnelLimit is null ? "" : " (from a tunnel: refused)");
            _fullReported = full;
        }
        if (_perTunnelLimit is int limit) ReportTunnelRefusals(links, limit);
    }

    private void ReportTunnelRefusals(IEnumerable<TunnelLink> links, int limit)
    {
        var seen = new HashSet<long>();
        foreach (var link in links)
        {
            seen.Add(link.Id);
            long refused = link.Counters.Drops(DropReason.SessionLimit);
            long reported = _refusalsReported.GetValueOrDefault(link.Id);
            if (refused <= reported) continue;
            _refusalsReported[link.Id] = refused;
            int live = _tracker.LiveCountOf(link.Id);
            // SessionLimit also counts refusals by the full table and the client-MAC bound: below its own
            // limit the tunnel was not the cause, and naming --max-sessions-per-tunnel sends the admin the wrong way.
            if (live >= limit)
                _log.Warning("sessions-per-tunnel", "tunnel {Peer} has {Live} live session(s) and discovery(ies), limit {Max} (--max-sessions-per-tunnel): refused {Count} more frame(s) opening new ones",
                    link.PeerName, live, limit, refused - reported);
            else
                _log.Warning("sessions-refused", "tunnel {Peer} has {Live} live session(s) and discovery(ies), under its limit {Max}: refused {Count} more frame(s) opening new ones (session table full or too many client MACs: see the lines before)",
                    link.PeerName, live, limit, refused - reported);
        }
        foreach (var gone in _refusalsReported.Keys.Where(id => !seen.Contains(id)).ToList()) _refusalsReported.Remove(gone);
    }
}
