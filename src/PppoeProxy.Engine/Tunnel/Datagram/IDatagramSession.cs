namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>One association's payloads, protected (DTLS) or not (--insecure).</summary>
internal interface IDatagramSession
{
    /// <summary>Payload bytes one datagram carries, after every header and the cipher's overhead.</summary>
    int MaxPayload { get; }
    UdpChannel Channel { get; }
    void Send(ReadOnlySpan<byte> payload);
    /// <summary>The next payload that authenticated; -1 after <paramref name="waitMillis"/> (0: no limit). Throws <see cref="IOException"/> once closed.</summary>
    int Receive(Span<byte> buffer, int waitMillis);
    /// <summary>Called after each authenticated, newest payload whose source differs from the peer's address (server only).</summary>
    Action<System.Net.IPEndPoint>? Moved { get; set; }
    TunnelCounters? Counters { get; set; }
    void Close();
}
