using System.Management.Automation;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.PowerShell.Jobs;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>
/// Start-PppoeGuard: the standalone ghost-session watcher (`pppoeproxy guard`), as a job or with -Wait.
/// -WhatIf is a dry run that still watches: a watcher that did nothing would show nothing, and what
/// it would send is the point of trying it first.
/// </summary>
// Medium impact: -WhatIf/-Confirm work, but the default $ConfirmPreference (High) does not prompt.
[Cmdlet(VerbsLifecycle.Start, "PppoeGuard", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.StartPppoeGuard)]
[OutputType(typeof(PppoeProxyJob))]
[OutputType(typeof(PppoeFrameInfo))]
public sealed class StartPppoeGuardCommand : StartEngineCommandBase
{
    /// <summary>Seconds between stats lines in the Verbose stream; none when omitted (still on stop).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int StatsInterval { get; set; }

    private protected override string EndpointText => Interface;

    /// <summary>-WhatIf given, or $WhatIfPreference set.</summary>
    private bool DryRun => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given)
        ? given is SwitchParameter { IsPresent: true }
        : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

    private protected override IProxyEnd CreateEnd(ILogger logger)
    {
        var options = GuardWatcherOptions.From(Interface,
            MyInvocation.BoundParameters.ContainsKey(nameof(StatsInterval)) ? StatsInterval.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            DryRun);
        return new GuardWatcher(options, DryRun ? new WhatIfLogger(logger) : logger);
    }

    private protected override bool ConfirmStart(string role)
    {
        if (DryRun)
        {
            WriteVerbose($"-WhatIf: watching {Interface} as a dry run; 'What if:' warnings say what would be sent");
            return true;
        }
        return ShouldProcess(Interface,
            $"Start the ghost-session guard: capture PPPoE in promiscuous mode on {Interface} and send a PADT from a client's MAC when the client restarts discovery while its old session is abandoned");
    }

    private protected override void SayStopped(IProxyEnd end, int sessionsEnded)
    {
        var guard = end.Status().Guard;
        var line = $"guard on {Interface} stopped: {guard?.GhostsEnded ?? 0} ghost session(s) ended, {guard?.WouldEnd ?? 0} would have been (dry run)";
        try { Host.UI.WriteWarningLine(line); }
        catch (Exception) { Console.Error.WriteLine(line); }
    }
}
