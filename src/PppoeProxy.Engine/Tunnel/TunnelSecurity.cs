using System.Security.Cryptography.X509Certificates;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>TLS settings of one end: our certificate and the peers we pin. Null means plain text (--insecure).</summary>
public sealed class TunnelSecurity
{
    public TunnelSecurity(X509Certificate2 certificate, IReadOnlySet<string> trustedFingerprints)
    {
        Certificate = certificate;
        TrustedFingerprints = trustedFingerprints;
        Fingerprint = Security.Fingerprint.Of(certificate);
    }

    public X509Certificate2 Certificate { get; }
    public IReadOnlySet<string> TrustedFingerprints { get; }
    public string Fingerprint { get; }

    /// <summary>Loads PEM files and parses the pins; every problem is a one-line TunnelConfigException.</summary>
    public static TunnelSecurity Load(string certPath, string keyPath, IEnumerable<string> trusted)
    {
        var pins = new HashSet<string>();
        foreach (var text in trusted.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Security.Fingerprint.TryParse(text, out var fp))
                throw new TunnelConfigException($"'{text}' is not a SHA-256 fingerprint (64 hex digits)");
            pins.Add(fp);
        }
        if (pins.Count == 0) throw new TunnelConfigException("no trusted fingerprint given (--trust FP)");
        return new TunnelSecurity(CertificateFiles.Load(certPath, keyPath), pins);
    }
}
