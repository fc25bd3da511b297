namespace PppoeProxy.Engine.Tunnel;

public sealed record ClientOptions : ProxyEndOptions
{
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(60);
    /// <summary>UDP: NAT mappings of UDP flows commonly expire after 30 s (RFC 4787 asks for at least 2 min, few comply).</summary>
    public static readonly TimeSpan DefaultUdpKeepAlive = TimeSpan.FromSeconds(25);

    public required string ServerHost { get; init; }
    public required int ServerPort { get; init; }
    public TimeSpan KeepAlive { get; init; } = DefaultKeepAlive;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);
    public string ClientName { get; init; } = Environment.MachineName;
}
