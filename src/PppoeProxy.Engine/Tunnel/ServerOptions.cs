using System.Net;
using PppoeProxy.Engine.Tunnel.Limits;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.Engine.Tunnel;

public sealed record ServerOptions : ProxyEndOptions
{
    public required IPEndPoint Listen { get; init; }
    public CidrAllowList Allow { get; init; } = CidrAllowList.LoopbackOnly;
    public MacMode MacMode { get; init; } = MacMode.Transparent;
    public TimeSpan HandshakeTimeout { get; init; } = TunnelHandshake.DefaultTimeout;
    /// <summary>A tunnel silent this long is dead (clients ping every 60 s by default).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(200);

    /// <summary>
    /// Live sessions and discoveries in progress one tunnel may have; past it the tunnel's PADI, PADR and
    /// frames of sessions it never set up are refused (counted, logged). A remote site has a few PPPoE
    /// clients, each one session and a discovery now and then.
    /// </summary>
    public int MaxSessionsPerTunnel { get; init; } = DefaultMaxSessionsPerTunnel;
    public const int DefaultMaxSessionsPerTunnel = 64;
    /// <summary>
    /// Sessions at the AC all tunnels together may hold, discoveries in flight included (see
    /// <see cref="Limits.SessionBudget"/>); null: unlimited. A FLET'S line allows 2 (5 with the paid option).
    /// </summary>
    public int? MaxSessions { get; init; }
    // Limits (issue 12). Sized for a home line: a handful of remote sites, each one or two boxes.
    public const int DefaultMaxTunnels = 32;
    public const int DefaultMaxTunnelsPerSource = 4;
    public const int DefaultMaxHandshakesPerSource = 4;
    /// <summary>Established tunnels at once, legacy ones included; more get the Busy reply.</summary>
    public int MaxTunnels { get; init; } = DefaultMaxTunnels;
    /// <summary>Established tunnels from one source (IPv4 address or IPv6 /64): a client plus its reconnect overlap, or a few behind one NAT.</summary>
    public int MaxTunnelsPerSource { get; init; } = DefaultMaxTunnelsPerSource;
    /// <summary>Connections in their handshake at once, with random early drop (sshd's MaxStartups); each holds a thread for at most <see cref="HandshakeTimeout"/>.</summary>
    public HandshakeLimit MaxHandshakes { get; init; } = HandshakeLimit.Default;
    /// <summary>Handshakes from one source at once: one address cannot take every slot.</summary>
    public int MaxHandshakesPerSource { get; init; } = DefaultMaxHandshakesPerSource;
}
