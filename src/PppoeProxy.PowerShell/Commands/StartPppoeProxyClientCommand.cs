using System.Management.Automation;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.PowerShell.Jobs;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>Start-PppoeProxyClient: the end on the remote LAN with the PPPoE client.</summary>
// Medium impact: -WhatIf/-Confirm work, but the default $ConfirmPreference (High) does not prompt.
[Cmdlet(VerbsLifecycle.Start, "PppoeProxyClient", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.StartPppoeProxyClient)]
[OutputType(typeof(PppoeProxyJob))]
[OutputType(typeof(PppoeFrameInfo))]
public sealed class StartPppoeProxyClientCommand : StartProxyCommandBase
{
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateEndpoint]
    public string Server { get; set; } = "";

    /// <summary>Seconds between keepalives; three unanswered ones mean the tunnel is dead.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int KeepAliveInterval { get; set; } = (int)ClientOptions.DefaultKeepAlive.TotalSeconds; // shown by Get-Help; the engine applies it

    private protected override string EndpointText => Server;

    private protected override IProxyEnd CreateEnd(ILogger logger)
    {
        var options = ProxyOptionsBuilder.Client(TypedSettings() with
        {
            Server = Server,
            KeepAlive = MyInvocation.BoundParameters.ContainsKey(nameof(KeepAliveInterval))
                ? KeepAliveInterval.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        });
        return new ProxyClient(options, logger);
    }
}
