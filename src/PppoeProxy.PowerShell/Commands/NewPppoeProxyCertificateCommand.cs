using System.Management.Automation;
using PppoeProxy.Engine.Tunnel.Security;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>New-PppoeProxyCertificate: a key pair for the tunnel's TLS; the peer pins the fingerprint.</summary>
[Cmdlet(VerbsCommon.New, "PppoeProxyCertificate", SupportsShouldProcess = true, HelpUri = HelpLinks.NewPppoeProxyCertificate)]
[OutputType(typeof(ProxyCertificate))]
public sealed class NewPppoeProxyCertificateCommand : PppoeCmdlet
{
    /// <summary>Path prefix: PATH.crt and PATH.key are written.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string CommonName { get; set; } = "pppoeproxy";

    protected override void ProcessRecord()
    {
        var prefix = ResolvePath(Path);
        var certPath = prefix + CertificateFiles.CertificateExtension;
        var keyPath = prefix + CertificateFiles.KeyExtension;
        if (new[] { certPath, keyPath }.FirstOrDefault(File.Exists) is { } existing)
        {
            // Overwriting a key silently breaks every peer that pinned it.
            WriteError(new ErrorRecord(new IOException($"{existing} exists already: delete it first to make a new identity, or choose another -Path"),
                "CertificateFileExists", ErrorCategory.ResourceExists, existing));
            return;
        }
        if (!ShouldProcess($"{certPath}, {keyPath}", "Create a self-signed certificate and private key")) return;
        try
        {
            var fingerprint = CertificateFiles.Create(prefix, CommonName);
            WriteVerbose($"certificate {certPath}, key {keyPath} (mode 0600); give the peer the fingerprint");
            WriteObject(new ProxyCertificate(fingerprint, certPath, keyPath));
        }
        catch (Exception e) when (e.InnerException is UnauthorizedAccessException)
        {
            // The engine wraps the file error as a configuration error; the fix here is a writable -Path.
            WriteError(new ErrorRecord(e, "CertificateAccessDenied", ErrorCategory.PermissionDenied, prefix)
            {
                ErrorDetails = new ErrorDetails($"permission denied writing {keyPath}: choose a -Path you can write to, or run as root"),
            });
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            WriteEngineError(e, "CertificateCreateFailed", prefix);
        }
    }
}
