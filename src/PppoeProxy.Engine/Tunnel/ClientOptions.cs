namespace PppoeProxy.Engine.Tunnel;

public sealed record ClientOptions : ProxyEndOptions
{
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(60);
    /// <summary>UDP: NAT mappings of UDP flows commonly expire after 30 s (RFC 4787 asks for at least 2 min, few comply).</summary>
    public static readonly TimeSpan DefaultUdpKeepAlive = TimeSpan.FromSeconds(25);

    /// <summary>
    /// UDP with DTLS: BouncyCastle speaks DTLS 1.2 only, which cannot renew keys inside an association (no
    /// KeyUpdate, and BouncyCastle does no renegotiation), so the client makes a fresh association this
    /// often and moves the tunnel onto it before closing the old one (make before break).
    /// </summary>
    public static readonly TimeSpan DefaultRekeyInterval = TimeSpan.FromHours(1);
    /// <summary>Frames either way after which keys are renewed whatever the time: AES-GCM's margin is about 2^24.5 records per key (RFC 8446 5.5).</summary>
    public const long DefaultRekeyFrames = 1L << 24;

    public required string ServerHost { get; init; }
    public required int ServerPort { get; init; }
    public TimeSpan KeepAlive { get; init; } = DefaultKeepAlive;
    public TimeSpan RekeyInterval { get; init; } = DefaultRekeyInterval;
    public long RekeyFrames { get; init; } = DefaultRekeyFrames;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);
    public string ClientName { get; init; } = Environment.MachineName;
}
