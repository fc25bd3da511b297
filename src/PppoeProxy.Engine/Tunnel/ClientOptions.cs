namespace PppoeProxy.Engine.Tunnel;

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
