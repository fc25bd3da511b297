using System.Collections.Concurrent;
using System.Management.Automation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.PowerShell.Jobs;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>
/// Start-PppoeProxyServer and Start-PppoeProxyClient: the same engine lifecycle, as a background
/// job (default) or in the foreground with -Wait.
/// </summary>
public abstract class StartProxyCommandBase : StartEngineCommandBase
{
    /// <summary>Tcp (TLS 1.3, the default) or Udp (DTLS 1.2: no head-of-line blocking on a lossy path).</summary>
    [Parameter]
    public TunnelTransportKind Transport { get; set; } = TunnelTransportKind.Tcp;

    // No parameter sets for TLS vs -Insecure: PowerShell would reject a mix with a generic
    // "parameter set cannot be resolved" (or a file check first); CheckSecurityParameters names the conflict.
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyPath { get; set; }

    [Parameter]
    [ValidateFingerprint]
    public string[]? TrustedFingerprint { get; set; }

    [Parameter]
    public SwitchParameter Insecure { get; set; }

    /// <summary>Seconds a dropped tunnel's sessions are held before they are ended with PADTs.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int GracePeriod { get; set; } = (int)ProxyEndOptions.DefaultGrace.TotalSeconds; // shown by Get-Help; the engine applies it

    /// <summary>On (the default): a client that restarts discovery while its old session is a ghost gets that session ended.</summary>
    [Parameter]
    [ValidateSet("On", "Off")]
    public string GhostGuard { get; set; } = "On";

    /// <summary>MSS clamping of the TCP SYNs carried, both ways: auto, off or an IPv4 MSS (issue 14).</summary>
    [Parameter]
    [ValidateClampMss]
    public string ClampMss { get; set; } = Engine.Operations.ProxyOptionsBuilder.DefaultClampMss(new()).ToString(); // shown by Get-Help; the engine applies it

    protected override void BeginProcessing() => CheckSecurityParameters();

    /// <summary>The engine's rule (one place for CLI and cmdlets), its setting names spelled as this cmdlet's parameters.</summary>
    private static readonly IReadOnlyDictionary<string, string> ParameterNames = new Dictionary<string, string>
    {
        ["cert"] = "-" + nameof(CertificatePath), ["key"] = "-" + nameof(KeyPath), ["trust"] = "-" + nameof(TrustedFingerprint),
        ["insecure"] = "-" + nameof(Insecure),
    };

    private void CheckSecurityParameters()
    {
        try
        {
            Engine.Operations.ProxyOptionsBuilder.CheckSecurity(new Engine.Operations.ProxySettings
            {
                Insecure = Insecure.IsPresent, Certificate = CertificatePath, Key = KeyPath, Trust = TrustedFingerprint,
            });
        }
        catch (Engine.Operations.ProxyOptionsException bad)
        {
            var errorId = bad.Option == "insecure" ? "InsecureWithTlsParameters" : "TlsParametersMissing";
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(bad.Describe(name => ParameterNames.GetValueOrDefault(name, "-" + name)), bad),
                errorId, ErrorCategory.InvalidArgument, null));
        }
        if (Insecure.IsPresent) return;
        foreach (var path in new[] { CertificatePath!, KeyPath! })
        {
            if (!File.Exists(ResolvePath(path)))
            {
                ThrowTerminatingError(new ErrorRecord(new FileNotFoundException(
                        $"'{path}' does not exist or is not a file: New-PppoeProxyCertificate -Path PREFIX makes PREFIX.crt and PREFIX.key"),
                    "TlsFileNotFound", ErrorCategory.ObjectNotFound, path));
            }
        }
    }

    /// <summary>The shared parameters as typed, for the engine's options builder (which holds the defaults).</summary>
    private protected Engine.Operations.ProxySettings TypedSettings() => new()
    {
        Interface = Interface,
        Insecure = Insecure.IsPresent,
        Transport = MyInvocation.BoundParameters.ContainsKey(nameof(Transport)) ? Transport.ToString() : null,
        // CheckSecurityParameters made sure both paths are given unless -Insecure.
        Certificate = Insecure.IsPresent ? null : ResolvePath(CertificatePath!),
        Key = Insecure.IsPresent ? null : ResolvePath(KeyPath!),
        Trust = Insecure.IsPresent ? null : TrustedFingerprint,
        // Only what the user gave: the defaults live in the engine.
        Grace = MyInvocation.BoundParameters.ContainsKey(nameof(GracePeriod)) ? GracePeriod.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        GhostGuard = MyInvocation.BoundParameters.ContainsKey(nameof(GhostGuard)) ? GhostGuard.ToLowerInvariant() : null,
        ClampMss = MyInvocation.BoundParameters.ContainsKey(nameof(ClampMss)) ? ClampMss : null,
    };

    private protected override bool ConfirmStart(string role) =>
        ShouldProcess($"{Interface} and {EndpointText}",
            $"Start the proxy {role}: capture PPPoE in promiscuous mode on {Interface}, {(role == "server" ? "listen on" : "connect to")} {EndpointText}");

    private protected override void WarnBeforeStart()
    {
        if (Insecure.IsPresent) WriteWarning("-Insecure: the tunnel is plain text; PPP credentials cross it in clear");
    }
}
