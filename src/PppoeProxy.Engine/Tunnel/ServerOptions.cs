using System.Net;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.Engine.Tunnel;

public sealed record ServerOptions : ProxyEndOptions
{
    public required IPEndPoint Listen { get; init; }
    public CidrAllowList Allow { get; init; } = CidrAllowList.LoopbackOnly;
    public MacMode MacMode { get; init; } = MacMode.Transparent;
    public TimeSpan HandshakeTimeout { get; init; } = TunnelHandshake.DefaultTimeout;
    /// <summary>Connections still in their handshake at once; more are closed at once (like sshd's MaxStartups).</summary>
    public int MaxPendingHandshakes { get; init; } = 16;
    /// <summary>A tunnel silent this long is dead (clients ping every 60 s by default).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(200);

    /// <summary>
    /// Live sessions and discoveries in progress one tunnel may have; past it the tunnel's PADI, PADR and
    /// frames of sessions it never set up are refused (counted, logged). A remote site has a few PPPoE
    /// clients, each one session and a discovery now and then.
    /// </summary>
    public int MaxSessionsPerTunnel { get; init; } = DefaultMaxSessionsPerTunnel;
    public const int DefaultMaxSessionsPerTunnel = 64;
}
