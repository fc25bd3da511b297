namespace PppoeProxy.Engine.Tunnel;

/// <summary>One tunnel as the status/stats output shows it.</summary>
public sealed record PeerStatus(long Id, string Name, string? Fingerprint, DateTimeOffset ConnectedAt, bool Connected,
    TunnelCountersSnapshot Counters, IReadOnlyList<string> ClientMacs);
