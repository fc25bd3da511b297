namespace PppoeProxy.PowerShell;

/// <summary>What New-PppoeProxyCertificate made: the peer pins <see cref="Fingerprint"/> (-TrustedFingerprint).</summary>
public sealed class ProxyCertificate
{
    public ProxyCertificate(string fingerprint, string certificatePath, string keyPath)
    {
        Fingerprint = fingerprint;
        CertificatePath = certificatePath;
        KeyPath = keyPath;
    }

    public string Fingerprint { get; }
    public string CertificatePath { get; }
    public string KeyPath { get; }

    public override string ToString() => Fingerprint;
}
