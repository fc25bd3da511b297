namespace PppoeProxy.Engine.Tunnel;

/// <summary>What carries the tunnel between the ends (issue 14): a TCP stream, or datagrams.</summary>
public enum TunnelTransportKind
{
    /// <summary>TLS 1.3 (or plain text) over TCP: the default.</summary>
    Tcp,
    /// <summary>DTLS 1.2 (or plain text) over UDP: no head-of-line blocking on a lossy path.</summary>
    Udp,
}
