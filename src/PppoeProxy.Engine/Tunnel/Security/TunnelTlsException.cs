namespace PppoeProxy.Engine.Tunnel.Security;

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
