using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PppoeProxy.Engine.Tunnel.Security;

/// <summary>
/// The tunnel identity on disk: PATH.crt (PEM certificate) and PATH.key (PEM PKCS#8 private key,
/// mode 0600). Certificates are self-signed; peers trust each other by fingerprint, never by CA.
/// </summary>
public static class CertificateFiles
{
    public const string CertificateExtension = ".crt";
    public const string KeyExtension = ".key";

    /// <summary>
    /// Creates an ECDSA P-256 self-signed certificate valid for 100 years (rotation is done by
    /// changing the pinned fingerprint, not by expiry), writes PATH.crt and PATH.key and returns the
    /// fingerprint. Refuses to overwrite either file: losing a key silently breaks every peer.
    /// </summary>
    /// <exception cref="TunnelConfigException">A file exists already or cannot be written.</exception>
    public static string Create(string pathPrefix, string commonName = "pppoeproxy")
    {
        ArgumentException.ThrowIfNullOrEmpty(pathPrefix);
        string certPath = pathPrefix + CertificateExtension;
        string keyPath = pathPrefix + KeyExtension;
        foreach (string path in new[] { certPath, keyPath })
        {
            if (File.Exists(path)) throw new TunnelConfigException($"refusing to overwrite existing {path}; delete it first to make a new identity");
        }

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(commonName);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // Both purposes: the same identity format serves the proxy server and the proxy client.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2") }, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        // A day of slack for peers whose clocks lag.
        DateTimeOffset notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        using X509Certificate2 cert = request.CreateSelfSigned(notBefore, notBefore.AddYears(100));

        try
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(keyPath));
            if (dir is not null) Directory.CreateDirectory(dir);
            WriteNew(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n", secret: true);
            WriteNew(certPath, cert.ExportCertificatePem() + "\n", secret: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TunnelConfigException($"cannot write identity files {pathPrefix}.crt/.key: {e.Message}", e);
        }
        return Fingerprint.Of(cert);
    }

    /// <summary>
    /// Loads a certificate and its private key (ECDSA or RSA, unencrypted PEM) into an
    /// <see cref="X509Certificate2"/> that SslStream can present as server or client.
    /// </summary>
    /// <exception cref="TunnelConfigException">Missing file, no PEM, or key not matching certificate.</exception>
    public static X509Certificate2 Load(string certPath, string keyPath)
    {
        string certPem = ReadText(certPath, "certificate");
        string keyPem = ReadText(keyPath, "private key");

        X509Certificate2 cert;
        try { cert = X509Certificate2.CreateFromPem(certPem); }
        catch (CryptographicException e)
        {
            throw new TunnelConfigException($"{certPath} holds no readable PEM certificate (-----BEGIN CERTIFICATE-----): {FirstLine(e.Message)}", e);
        }

        using (cert)
        {
            using AsymmetricAlgorithm key = LoadKeyFor(cert, keyPem, certPath, keyPath);
            X509Certificate2 withKey;
            try
            {
                withKey = key switch
                {
                    ECDsa ec => cert.CopyWithPrivateKey(ec),
                    RSA rsa => cert.CopyWithPrivateKey(rsa),
                    _ => throw new ArgumentException("unsupported key"),
                };
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw new TunnelConfigException($"private key in {keyPath} does not match the certificate in {certPath}", e);
            }
            // Keys imported from PEM are ephemeral; SslStream (notably as a server, and on
            // Windows always) wants a key it can find again, which a PKCS#12 round trip gives.
            using (withKey)
            {
                return new X509Certificate2(withKey.Export(X509ContentType.Pkcs12));
            }
        }
    }

    /// <summary>Loads PATH.crt and PATH.key as written by <see cref="Create"/>.</summary>
    public static X509Certificate2 Load(string pathPrefix) =>
        Load(pathPrefix + CertificateExtension, pathPrefix + KeyExtension);

    private static AsymmetricAlgorithm LoadKeyFor(X509Certificate2 cert, string keyPem, string certPath, string keyPath)
    {
        AsymmetricAlgorithm key;
        if (cert.GetECDsaPublicKey() is { } ecPublic) { ecPublic.Dispose(); key = ECDsa.Create(); }
        else if (cert.GetRSAPublicKey() is { } rsaPublic) { rsaPublic.Dispose(); key = RSA.Create(); }
        else throw new TunnelConfigException($"{certPath} has a {cert.PublicKey.Oid.FriendlyName ?? cert.PublicKey.Oid.Value} key; only ECDSA and RSA are supported");
        try
        {
            key.ImportFromPem(keyPem);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            string kind = key is ECDsa ? "ECDSA" : "RSA";
            throw new TunnelConfigException($"{keyPath} holds no usable unencrypted {kind} PEM private key matching {certPath}: {FirstLine(e.Message)}", e);
        }
    }

    private static string ReadText(string path, string what)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TunnelConfigException($"{what} file {path} not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TunnelConfigException($"cannot read {what} file {path}: {e.Message}", e);
        }
    }

    private static void WriteNew(string path, string text, bool secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        // Set at creation so the key is never readable by others, not even for an instant.
        if (secret && !OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        writer.Write(text);
    }

    private static string FirstLine(string message)
    {
        int end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }
}
