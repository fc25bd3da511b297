using Org.BouncyCastle.Tls;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>BouncyCastle's DTLS 1.2 server side: asks for the client's certificate and accepts only a pinned one.</summary>
internal sealed class PinnedDtlsServer(DtlsIdentity identity, int handshakeTimeoutMillis) : DefaultTlsServer(identity.Crypto)
{
    /// <summary>The client's fingerprint once it presented a certificate (trusted or not).</summary>
    public string? PeerFingerprint { get; private set; }
    /// <summary>Why the client was refused, for the log line.</summary>
    public string? Refusal { get; private set; }
    /// <summary>The client sent a fatal alert during the handshake (e.g. it does not pin our certificate).</summary>
    public short? AlertReceived { get; private set; }

    /// <summary>The suite the handshake agreed on (once it is over).</summary>
    public int CipherSuite => m_context.SecurityParameters.CipherSuite;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();
    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, DtlsIdentity.CipherSuites);
    public override int GetHandshakeTimeoutMillis() => handshakeTimeoutMillis;
    public override bool RequiresExtendedMasterSecret() => true;
    protected override TlsCredentialedSigner GetECDsaSignerCredentials() => identity.IsEcdsa ? identity.Signer(m_context, null) : base.GetECDsaSignerCredentials();
    protected override TlsCredentialedSigner GetRsaSignerCredentials() => identity.IsEcdsa ? base.GetRsaSignerCredentials() : identity.Signer(m_context, null);

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        if (alertLevel == AlertLevel.fatal) AlertReceived = alertDescription;
    }

    public override CertificateRequest GetCertificateRequest() => new(
        new[] { ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign },
        TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
        {
            Refusal = "client sent no certificate";
            throw new TlsFatalAlert(AlertDescription.certificate_required);
        }
        PeerFingerprint = DtlsIdentity.FingerprintOf(clientCertificate);
        if (!identity.Trusted.Contains(PeerFingerprint))
        {
            Refusal = $"client certificate {PeerFingerprint} is not trusted";
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
    }
}
