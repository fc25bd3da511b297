using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// The same identity files and pins as the TLS transport, in BouncyCastle's terms: our certificate
/// and key for signing the handshake, and the rule "trusted exactly when the SHA-256 of the peer's
/// certificate is pinned" (no chain, names or expiry, as in <see cref="TunnelTls"/>).
/// </summary>
internal sealed class DtlsIdentity
{
    /// <summary>AEAD suites with forward secrecy only; ECDSA for our P-256 identities, RSA for imported ones.</summary>
    public static readonly int[] CipherSuites =
    {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    };

    public DtlsIdentity(TunnelSecurity security)
    {
        Crypto = new TunnelTlsCrypto(new SecureRandom());
        Certificate = new Certificate(new TlsCertificate[] { Crypto.CreateCertificate(security.Certificate.RawData) });
        using var ecdsa = security.Certificate.GetECDsaPrivateKey();
        using var rsa = ecdsa is null ? security.Certificate.GetRSAPrivateKey() : null;
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)ecdsa ?? rsa ?? throw new TunnelConfigException("the certificate's key is neither ECDSA nor RSA");
        IsEcdsa = ecdsa is not null;
        PrivateKey = PrivateKeyFactory.CreateKey(ExportPkcs8(key));
        Trusted = security.TrustedFingerprints;
        OwnFingerprint = security.Fingerprint;
    }

    public BcTlsCrypto Crypto { get; }
    public Certificate Certificate { get; }
    public AsymmetricKeyParameter PrivateKey { get; }
    public bool IsEcdsa { get; }
    public IReadOnlySet<string> Trusted { get; }
    /// <summary>Our own certificate's, for log lines that tell the admin what the peer must pin.</summary>
    public string OwnFingerprint { get; }

    private static byte[] ExportPkcs8(AsymmetricAlgorithm key)
    {
        // Keys loaded from PEM may be marked non-exportable only on Windows; on Linux this always works.
        try { return key.ExportPkcs8PrivateKey(); }
        catch (CryptographicException e) { throw new TunnelConfigException($"cannot use the private key for DTLS: {e.Message}", e); }
    }

    public TlsCredentialedSigner Signer(TlsContext context, IList<SignatureAndHashAlgorithm>? peerAlgorithms)
    {
        var algorithm = IsEcdsa
            ? SignatureAndHashAlgorithm.GetInstance(Org.BouncyCastle.Tls.HashAlgorithm.sha256, SignatureAlgorithm.ecdsa)
            : SignatureAndHashAlgorithm.GetInstance(Org.BouncyCastle.Tls.HashAlgorithm.sha256, SignatureAlgorithm.rsa);
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), Crypto, PrivateKey, Certificate, algorithm);
    }

    public static string FingerprintOf(Certificate? certificate) =>
        certificate is null || certificate.IsEmpty ? "" : Fingerprint.OfDer(certificate.GetCertificateAt(0).GetEncoded());
}
