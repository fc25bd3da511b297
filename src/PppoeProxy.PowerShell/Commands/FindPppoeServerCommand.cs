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
        var activity = $"Waiting for PPPoE offers on {Interface}";
        // The timeout runs from when the capture is open, which is when the first beat comes.
        DateTime? started = null;
        IReadOnlyList<PppoeOffer> offers;
        try
        {
            offers = ServerDiscovery.Probe(Interface, ServiceName, TimeSpan.FromSeconds(Timeout), StopToken, count =>
            {
                started ??= DateTime.UtcNow;
                WriteTimedProgress(activity, $"PADI sent; {count} offer(s) so far", DateTime.UtcNow - started.Value, Timeout);
            });
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            WriteEngineError(e, "DiscoveryFailed", Interface);
            return;
        }
        finally
        {
            if (!Stopping) CompleteProgress(activity);
        }
        if (Stopping)
        {
            TellHost($"stopped: {offers.Count} offer(s) on {Interface} (not emitted; the pipeline was stopped)");
            foreach (var offer in offers) TellHost("  " + offer);
            return;
        }
        WriteVerbose($"{offers.Count} offer(s)");
        WriteObject(offers.Select(o => new PppoeOfferInfo(o)), enumerateCollection: true);
    }
}
