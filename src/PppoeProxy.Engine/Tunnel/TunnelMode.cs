namespace PppoeProxy.Engine.Tunnel;

public enum TunnelMode
{
    /// <summary>Our protocol v1: handshake, TLS by default.</summary>
    V1,
    /// <summary>Byte-compatible with the Go pppoeproxy: no handshake, plain text.</summary>
    Legacy,
}
