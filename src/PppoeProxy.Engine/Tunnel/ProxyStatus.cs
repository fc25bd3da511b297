using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>What a running proxy end knows: for --stats, the status socket and the PowerShell job.</summary>
public sealed record ProxyStatus(string Role, string Interface, string Endpoint, string Security, string MacMode,
    IReadOnlyList<PeerStatus> Peers, IReadOnlyList<PppoeSession> Sessions, TunnelCountersSnapshot Counters,
    IReadOnlyList<string> HeldClientMacs)
{
    /// <summary>Server: connections refused, by cause (limits, allow-list, handshake failures); empty on a client.</summary>
    public IReadOnlyDictionary<string, long> Refusals { get; init; } = new Dictionary<string, long>();

    /// <summary>The ghost guard's counters, where one runs (the standalone watcher).</summary>
    public Guard.GhostGuardStats? Guard { get; init; }

    /// <summary>Tunnels and sessions named in the stats lines, the busiest first; `status --json` lists them all.</summary>
    public const int StatsTopCount = 5;

    /// <summary>
    /// Lines for the log: the totals, then the busiest tunnels and sessions by bytes. Bounded whatever
    /// the server carries or has seen: a stats print after heavy churn must not be thousands of lines.
    /// </summary>
    public IEnumerable<string> StatsLines()
    {
        if (Guard is { } guard)
        {
            // A watcher has no tunnel and holds no client: what it did is the news.
            yield return $"stats {Role} {Interface}: {Sessions.Count(s => s.State == SessionState.Established)} session(s); drops {Counters.DropsText}";
            yield return $"  guard: {guard.Probes} probe(s), {guard.GhostsEnded} ghost(s) ended, {guard.HealthyKept} healthy session(s) kept, {guard.WouldEnd} would end (dry run)";
        }
        else
            yield return $"stats {Role} {Interface}: {Peers.Count(p => p.Connected)} tunnel(s), {Sessions.Count(s => s.State == SessionState.Established)} session(s), {HeldClientMacs.Count} held client(s); drops {Counters.DropsText}";
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
