namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// --insecure: payloads in clear after the outer header. Nothing authenticates a datagram, so the
/// server never follows a client to a new address (the dispatcher only takes the peer's own).
/// </summary>
internal sealed class PlainDatagramSession(UdpChannel channel) : IDatagramSession
{
    public int MaxPayload => channel.GetSendLimit();
    public UdpChannel Channel => channel;
    public Action<System.Net.IPEndPoint>? Moved { get; set; }
    public TunnelCounters? Counters { get; set; }

    public void Send(ReadOnlySpan<byte> payload) => channel.Send(payload);

    public int Receive(Span<byte> buffer, int waitMillis) => channel.Receive(buffer, waitMillis);

    public void Close() => channel.Close();
}
