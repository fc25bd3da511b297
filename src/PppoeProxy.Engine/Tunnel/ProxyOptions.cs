using System.Net;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.Engine.Tunnel;

public sealed record ServerOptions
{
    public required string Interface { get; init; }
    public required IPEndPoint Listen { get; init; }
    public CidrAllowList Allow { get; init; } = CidrAllowList.LoopbackOnly;
    /// <summary>Null: plain text (--insecure, or legacy mode).</summary>
    public TunnelSecurity? Security { get; init; }
    public TunnelMode Mode { get; init; } = TunnelMode.V1;
    public MacMode MacMode { get; init; } = MacMode.Transparent;
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan? StatsInterval { get; init; }
    public TimeSpan HandshakeTimeout { get; init; } = TunnelHandshake.DefaultTimeout;
    /// <summary>Connections still in their handshake at once; more are closed at once (like sshd's MaxStartups).</summary>
    public int MaxPendingHandshakes { get; init; } = 16;
    /// <summary>A tunnel silent this long is dead (clients ping every 60 s by default).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(200);
}

public sealed record ClientOptions
{
    public required string Interface { get; init; }
    public required string ServerHost { get; init; }
    public required int ServerPort { get; init; }
    public TunnelSecurity? Security { get; init; }
    public TunnelMode Mode { get; init; } = TunnelMode.V1;
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Disconnected longer than this, the LAN's PPPoE client is told its sessions are gone.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan? StatsInterval { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);
    public string ClientName { get; init; } = Environment.MachineName;
}
