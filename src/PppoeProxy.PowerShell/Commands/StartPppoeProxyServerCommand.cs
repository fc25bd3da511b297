using System.Management.Automation;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Operations;
using PppoeProxy.PowerShell.Jobs;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>Start-PppoeProxyServer: the end beside the access concentrator.</summary>
// Medium impact: -WhatIf/-Confirm work, but the default $ConfirmPreference (High) does not prompt.
[Cmdlet(VerbsLifecycle.Start, "PppoeProxyServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.StartPppoeProxyServer)]
[OutputType(typeof(PppoeProxyJob))]
[OutputType(typeof(PppoeFrameInfo))]
public sealed class StartPppoeProxyServerCommand : StartProxyCommandBase
{
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateListenEndpoint]
    public string Listen { get; set; } = "";

    /// <summary>Client addresses allowed, as CIDRs; loopback only when omitted.</summary>
    [Parameter]
    [ValidateCidrList]
    public string[]? Allow { get; set; }

    [Parameter]
    public MacMode MacMode { get; set; } = MacMode.Transparent;

    /// <summary>Live sessions and discoveries one tunnel may have; past it its PADI/PADR are refused.</summary>
    [Parameter]
    [ValidateRange(1, ProxyOptionsBuilder.MaxCount)]
    public int MaxSessionsPerTunnel { get; set; } = ServerOptions.DefaultMaxSessionsPerTunnel; // shown by Get-Help; the engine applies it

    /// <summary>Sessions and discoveries tracked in total, ended ones included.</summary>
    [Parameter]
    [ValidateRange(1, ProxyOptionsBuilder.MaxCount)]
    public int MaxTrackedSessions { get; set; } = ProxyEndOptions.DefaultMaxTrackedSessions;

    /// <summary>Sessions at the AC all tunnels together may hold, discoveries in flight included; unlimited when omitted.</summary>
    [Parameter]
    [ValidateRange(1, ProxyOptionsBuilder.MaxCount)]
    public int MaxSessions { get; set; }

    // issue 12, limits; unbound ones keep the engine's defaults.
    /// <summary>Tunnels connected at once (legacy ones included).</summary>
    [Parameter]
    [ValidateRange(1, ProxyOptionsBuilder.MaxCount)]
    public int MaxTunnels { get; set; } = ServerOptions.DefaultMaxTunnels;

    /// <summary>Tunnels from one source address (IPv6: one /64).</summary>
    [Parameter]
    [ValidateRange(1, ProxyOptionsBuilder.MaxCount)]
    public int MaxTunnelsPerSource { get; set; } = ServerOptions.DefaultMaxTunnelsPerSource;

    /// <summary>Handshakes in progress: N, or START:RATE:FULL (sshd's MaxStartups).</summary>
    [Parameter]
    [ValidateHandshakeLimit]
    public string MaxHandshakes { get; set; } = Engine.Tunnel.Limits.HandshakeLimit.Default.ToString();

    /// <summary>Handshakes in progress from one source address (IPv6: one /64).</summary>
    [Parameter]
    [ValidateRange(1, ProxyOptionsBuilder.MaxCount)]
    public int MaxHandshakesPerSource { get; set; } = ServerOptions.DefaultMaxHandshakesPerSource;

    private protected override string EndpointText => Listen;

    private protected override IProxyEnd CreateEnd(ILogger logger)
    {
        var options = ProxyOptionsBuilder.Server(TypedSettings() with
        {
            Listen = Listen, Allow = Allow, MacMode = MacMode.ToString(),
            MaxSessionsPerTunnel = Bound(nameof(MaxSessionsPerTunnel), MaxSessionsPerTunnel),
            MaxTrackedSessions = Bound(nameof(MaxTrackedSessions), MaxTrackedSessions),
            MaxSessions = Bound(nameof(MaxSessions), MaxSessions),
            MaxTunnels = Bound(nameof(MaxTunnels), MaxTunnels),
            MaxTunnelsPerSource = Bound(nameof(MaxTunnelsPerSource), MaxTunnelsPerSource),
            MaxHandshakes = MyInvocation.BoundParameters.ContainsKey(nameof(MaxHandshakes)) ? MaxHandshakes : null,
            MaxHandshakesPerSource = Bound(nameof(MaxHandshakesPerSource), MaxHandshakesPerSource),
        });
        return new ProxyServer(options, logger);
    }

    // Null when not given, so the engine's default applies (as for the CLI).
    private string? Bound(string parameter, int value) =>
        MyInvocation.BoundParameters.ContainsKey(parameter) ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
}
