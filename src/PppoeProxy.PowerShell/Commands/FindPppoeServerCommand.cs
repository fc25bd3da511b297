using System.Management.Automation;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>Find-PppoeServer: broadcasts a PADI and lists the access concentrators that answer (like `pppoe -A`).</summary>
[Cmdlet(VerbsCommon.Find, "PppoeServer", HelpUri = HelpLinks.FindPppoeServer)]
[OutputType(typeof(PppoeOfferInfo))]
public sealed class FindPppoeServerCommand : PppoeCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(InterfaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    /// <summary>Service-Name to ask for; empty asks for any service.</summary>
    [Parameter]
    public string? ServiceName { get; set; }

    /// <summary>Seconds to wait for PADOs.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int Timeout { get; set; } = 3;

    protected override void ProcessRecord()
    {
        WriteVerbose($"sending a PADI on {Interface}{(string.IsNullOrEmpty(ServiceName) ? "" : $" for service '{ServiceName}'")}, waiting {Timeout} s for offers");
        var offers = ListenLive($"Waiting for PPPoE offers on {Interface}", Timeout, "DiscoveryFailed", Interface, "offer(s)",
            status => ServerDiscovery.Probe(Interface, ServiceName, TimeSpan.FromSeconds(Timeout), StopToken,
                count => status($"PADI sent; {count} offer(s) so far")),
            offer => offer);
        if (offers is null) return;
        WriteObject(offers.Select(o => new PppoeOfferInfo(o)), enumerateCollection: true);
    }
}
