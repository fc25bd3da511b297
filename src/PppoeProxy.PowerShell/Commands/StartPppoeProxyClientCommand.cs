using System.Management.Automation;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;
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
    public int KeepAliveInterval { get; set; } = 60;

    private protected override string EndpointText => Server;

    private protected override IProxyEnd CreateEnd(ILogger logger)
    {
        ParameterChecks.TrySplitEndpoint(Server, out var host, out int port, out _);
        var options = new ClientOptions
        {
            Interface = Interface,
            ServerHost = host,
            ServerPort = port,
            Security = LoadSecurity(),
            KeepAlive = TimeSpan.FromSeconds(KeepAliveInterval),
            Grace = TimeSpan.FromSeconds(GracePeriod),
        };
        return new ProxyClient(options, logger);
    }
}
