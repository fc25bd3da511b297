using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel.Limits;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>What a running proxy end knows: for --stats, the status socket and the PowerShell job.</summary>
public sealed record ProxyStatus(string Role, string Interface, string Endpoint, string Security, string MacMode,
    IReadOnlyList<PeerStatus> Peers, IReadOnlyList<PppoeSession> Sessions, TunnelCountersSnapshot Counters,
    IReadOnlyList<string> HeldClientMacs)
{
    /// <summary>Server: connections refused, by cause (limits, allow-list, handshake failures); empty on a client.</summary>
    public IReadOnlyDictionary<string, long> Refusals { get; init; } = new Dictionary<string, long>();

    /// <summary>What the ghost guard did (null where there is none).</summary>
    public Guard.GhostGuardStats? Guard { get; init; }

    /// <summary>Server with --max-sessions: the budget and what holds it; null when unlimited (and on a client).</summary>
    public SessionBudgetStatus? SessionBudget { get; init; }

    /// <summary>What --clamp-mss did (issue 14); "off" with zeros when it is off.</summary>
    public MssClampStatus MssClamp { get; init; } = MssClampStatus.Off;

    /// <summary>Tunnels and sessions named in the stats lines, the busiest first; `status --json` lists them all.</summary>
    public const int StatsTopCount = 5;

    /// <summary>
    /// Lines for the log: the totals, then the busiest tunnels and sessions by bytes. Bounded whatever
    /// the server carries or has seen: a stats print after heavy churn must not be thousands of lines.
    /// </summary>
    public IEnumerable<string> StatsLines()
    {
        if (Role == "guard" && Guard is { } watcher)
        {
            // The standalone watcher has no tunnel and holds no client: what it did is the news, every time.
            yield return $"stats {Role} {Interface}: {Sessions.Count(s => s.State == SessionState.Established)} session(s); drops {Counters.DropsText}";
            yield return $"  {watcher}";
        }
        else
        {
            yield return $"stats {Role} {Interface}: {Peers.Count(p => p.Connected)} tunnel(s), {Sessions.Count(s => s.State == SessionState.Established)} session(s), {HeldClientMacs.Count} held client(s); {(SessionBudget is { } budget ? budget + "; " : "")}drops {Counters.DropsText}";
            if (Guard is { Enabled: true } g && (g.Checked > 0 || g.Overflow > 0))
                yield return $"  {g}";
            if (MssClamp.Setting != MssClampStatus.Off.Setting) yield return $"  {MssClamp}";
        }
        foreach (var peer in Peers.OrderByDescending(p => p.Counters.BytesToTunnel + p.Counters.BytesFromTunnel).Take(StatsTopCount))
            yield return $"  tunnel {peer.Name}: {peer.Counters}";
        if (Peers.Count > StatsTopCount)
            yield return $"  ... and {Peers.Count - StatsTopCount} more tunnel(s) (`pppoeproxy status --json` lists all)";
        foreach (var s in Sessions.OrderByDescending(s => s.Bytes).Take(StatsTopCount))
            yield return $"  session {s.SessionId} {s.ClientMac} <-> {s.ServerMac} {s.State}: client->AC {s.FramesFromClient} frames/{s.BytesFromClient} B, AC->client {s.FramesFromServer} frames/{s.BytesFromServer} B";
        if (Sessions.Count > StatsTopCount)
            yield return $"  ... and {Sessions.Count - StatsTopCount} more session(s) (`pppoeproxy status --json` lists all)";
    }
}
