using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>What a running proxy end knows: for --stats, the status socket and the PowerShell job.</summary>
public sealed record ProxyStatus(string Role, string Interface, string Endpoint, string Security, string MacMode,
    IReadOnlyList<PeerStatus> Peers, IReadOnlyList<PppoeSession> Sessions, TunnelCountersSnapshot Counters,
    IReadOnlyList<string> HeldClientMacs)
{
    /// <summary>Lines for the log: one per tunnel and one per session.</summary>
    public IEnumerable<string> StatsLines()
    {
        yield return $"stats {Role} {Interface}: {Peers.Count(p => p.Connected)} tunnel(s), {Sessions.Count(s => s.State == SessionState.Established)} session(s), {HeldClientMacs.Count} held client(s); drops {Counters.DropsText}";
        foreach (var peer in Peers)
            yield return $"  tunnel {peer.Name}: {peer.Counters}";
        foreach (var s in Sessions)
            yield return $"  session {s.SessionId} {s.ClientMac} <-> {s.ServerMac} {s.State}: client->AC {s.FramesFromClient} frames/{s.BytesFromClient} B, AC->client {s.FramesFromServer} frames/{s.BytesFromServer} B";
    }
}
