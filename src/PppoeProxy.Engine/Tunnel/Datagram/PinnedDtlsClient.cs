using Org.BouncyCastle.Tls;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>BouncyCastle's DTLS 1.2 client side: presents our certificate and accepts only the pinned server.</summary>
internal sealed class PinnedDtlsClient(DtlsIdentity identity, string pinnedServer, int handshakeTimeoutMillis) : DefaultTlsClient(identity.Crypto)
{
    private readonly DtlsIdentity _identity = identity;
    private readonly string _pinned = pinnedServer;
    public string? PeerFingerprint { get; private set; }
    public string? Refusal { get; private set; }
    /// <summary>The server sent a fatal alert during the handshake (e.g. our certificate is not trusted there).</summary>
    public short? AlertReceived { get; private set; }

    /// <summary>The suite the handshake agreed on (once it is over).</summary>
    public int CipherSuite => m_context.SecurityParameters.CipherSuite;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();
    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, DtlsIdentity.CipherSuites);
    public override int GetHandshakeTimeoutMillis() => handshakeTimeoutMillis;
    public override bool RequiresExtendedMasterSecret() => true;

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        if (alertLevel == AlertLevel.fatal) AlertReceived = alertDescription;
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    private sealed class Authentication(PinnedDtlsClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            var fingerprint = DtlsIdentity.FingerprintOf(serverCertificate.Certificate);
            client.PeerFingerprint = fingerprint;
            if (fingerprint != client._pinned)
            {
                client.Refusal = $"server certificate fingerprint mismatch: expected {client._pinned}, got {fingerprint} (if the server's certificate is the right one, pin that fingerprint with --trust / -TrustedFingerprint; otherwise you reached another server)";
                throw new TlsFatalAlert(AlertDescription.bad_certificate);
            }
        }

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            client._identity.Signer(client.m_context, certificateRequest.SupportedSignatureAlgorithms);
    }
}
