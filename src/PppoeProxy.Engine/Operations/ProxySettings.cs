using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Engine.Operations;

/// <summary>
/// What a user typed to start either end, as text, before any check: CLI flags, config-file keys
/// and cmdlet parameters all map onto this. Null means "not given" (the default applies).
/// </summary>
public sealed record ProxySettings
{
    public string? Interface { get; init; }
    /// <summary>Server: ADDR:PORT to accept tunnels on.</summary>
    public string? Listen { get; init; }
    /// <summary>Client: HOST:PORT of the server.</summary>
    public string? Server { get; init; }
    /// <summary>Server: CIDRs, comma-separated (several entries are joined).</summary>
    public IReadOnlyList<string>? Allow { get; init; }
    public string? MacMode { get; init; }
    public string? Certificate { get; init; }
    public string? Key { get; init; }
    public IReadOnlyList<string>? Trust { get; init; }
    public bool Insecure { get; init; }
    public TunnelMode Mode { get; init; } = TunnelMode.V1;
    /// <summary>"tcp" or "udp" (any case); null: tcp.</summary>
    public string? Transport { get; init; }
    /// <summary>Seconds, as text ("30", "0.5").</summary>
    public string? Grace { get; init; }
    public string? Stats { get; init; }
    public string? KeepAlive { get; init; }
    /// <summary>Client, UDP: seconds between key renewals, as text.</summary>
    public string? Rekey { get; init; }
    /// <summary>Server: live sessions and discoveries per tunnel, as text.</summary>
    public string? MaxSessionsPerTunnel { get; init; }
    /// <summary>Server: sessions at the AC all tunnels together may hold, as text (null: unlimited).</summary>
    public string? MaxSessions { get; init; }
    /// <summary>Server: sessions and discoveries tracked in total, as text.</summary>
    public string? MaxTrackedSessions { get; init; }

    // Server limits (issue 12): counts as text, MaxHandshakes as N or START:RATE:FULL.
    public string? MaxTunnels { get; init; }
    public string? MaxTunnelsPerSource { get; init; }
    public string? MaxHandshakes { get; init; }
    public string? MaxHandshakesPerSource { get; init; }

    /// <summary>Both ends: "on" (the default) or "off".</summary>
    public string? GhostGuard { get; init; }

    /// <summary>Both ends: "auto", "off" or an MSS (issue 14).</summary>
    public string? ClampMss { get; init; }
}
