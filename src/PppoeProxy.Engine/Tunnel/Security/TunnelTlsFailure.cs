namespace PppoeProxy.Engine.Tunnel.Security;

/// <summary>Why a TLS tunnel handshake failed, for logs and counters.</summary>
public enum TunnelTlsFailure
{
    /// <summary>TLS itself failed (protocol mismatch, alert from the peer, peer closed).</summary>
    HandshakeFailed,
    TimedOut,
    /// <summary>The peer presented no certificate.</summary>
    NoPeerCertificate,
    /// <summary>Server side: the client's certificate fingerprint is not in the trusted set.</summary>
    UntrustedPeer,
    /// <summary>Client side: the server's certificate is not the pinned one.</summary>
    FingerprintMismatch,
}
