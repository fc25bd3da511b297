namespace PppoeProxy.Engine.Tunnel;

/// <summary>What both ends are configured with; the defaults are written here once.</summary>
public abstract record ProxyEndOptions
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(30);

    public required string Interface { get; init; }
    /// <summary>Null: plain text (--insecure, or legacy mode).</summary>
    public TunnelSecurity? Security { get; init; }
    public TunnelMode Mode { get; init; } = TunnelMode.V1;
    /// <summary>TCP (TLS) or UDP (DTLS); UDP needs <see cref="TunnelMode.V1"/>.</summary>
    public TunnelTransportKind Transport { get; init; } = TunnelTransportKind.Tcp;
    /// <summary>Server: how long a dropped tunnel's sessions are held. Client: disconnected longer than this,
    /// the LAN's PPPoE client is told its sessions are gone.</summary>
    public TimeSpan Grace { get; init; } = DefaultGrace;
    /// <summary>Stats lines every so often; null: only on exit.</summary>
    public TimeSpan? StatsInterval { get; init; }

    /// <summary>
    /// Sessions and discoveries the end tracks at most (status lists them all): bounds memory and status
    /// size whatever a peer sends. A home line carries a handful of sessions; 4096 leaves room for many
    /// tunnels at <see cref="ServerOptions.DefaultMaxSessionsPerTunnel"/> and costs a few MB at most.
    /// </summary>
    public int MaxTrackedSessions { get; init; } = DefaultMaxTrackedSessions;

    /// <summary>Ends a client's ghost session when the client restarts discovery (issue 13); on unless turned off.</summary>
    public Guard.GhostGuardOptions GhostGuard { get; init; } = new();
    public const int DefaultMaxTrackedSessions = 4096;

    /// <summary>MSS clamping of the TCP SYNs this end forwards (see <see cref="MssClampSetting"/>). Front ends get
    /// their default from <see cref="Operations.ProxyOptionsBuilder.DefaultClampMss"/>.</summary>
    public MssClampSetting ClampMss { get; init; } = MssClampSetting.Off;
}
