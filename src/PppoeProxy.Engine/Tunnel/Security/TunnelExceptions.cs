namespace PppoeProxy.Engine.Tunnel.Security;

/// <summary>A tunnel setting or file is unusable (missing certificate, bad PEM, key not matching).
/// The message is one line that names the file and says what is wrong.</summary>
public sealed class TunnelConfigException : Exception
{
    public TunnelConfigException(string message, Exception? inner = null) : base(message, inner) { }
}

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

/// <summary>A TLS tunnel handshake failed; <see cref="Exception.Message"/> is one operator-readable line.</summary>
public sealed class TunnelTlsException : Exception
{
    public TunnelTlsFailure Failure { get; }

    /// <summary>The peer's certificate fingerprint when one was seen, so it can be added to a trust list.</summary>
    public string? PeerFingerprint { get; }

    public TunnelTlsException(TunnelTlsFailure failure, string message, string? peerFingerprint = null, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        PeerFingerprint = peerFingerprint;
    }
}
