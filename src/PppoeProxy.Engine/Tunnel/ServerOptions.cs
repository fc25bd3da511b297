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
