namespace PppoeProxy.Engine.Tunnel;

public sealed record ClientOptions : ProxyEndOptions
{
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(60);

    public required string ServerHost { get; init; }
    public required int ServerPort { get; init; }
    public TimeSpan KeepAlive { get; init; } = DefaultKeepAlive;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);
    public string ClientName { get; init; } = Environment.MachineName;
}
