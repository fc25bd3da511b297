using System.CommandLine;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Cli.Commands;

/// <summary>`pppoeproxy kill`: the pppoesk job — sniff a session, then PADT it from the client's MAC.</summary>
public static class KillCommand
{
    public static Command Build(Console2 io)
    {
        var iface = CliOptions.Interface(required: true);
        var timeout = CliOptions.Timeout("Give up if no session is seen within S seconds (default 60)");
        var message = CliOptions.Message();
        var lcp = CliOptions.LcpTerminate();
        var yes = CliOptions.Yes();
        var command = new Command("kill", "Find PPPoE sessions on the wire and terminate each with a forged PADT")
        {
            iface, timeout, message, lcp, yes,
        };
        command.SetSyncAction(io, (parsed, cancel) =>
        {
            string interfaceName = parsed.GetValue(iface)!;
            var wait = CliOptions.Seconds(parsed.GetValue(timeout)) ?? TimeSpan.FromSeconds(60);
            io.Error.WriteLine($"pppoeproxy: listening on {interfaceName} for up to {wait.TotalSeconds:0.#} s...");
            var sessions = SessionFinding.Live(interfaceName, wait, cancel, stopAfterFirst: true)
                .Where(s => s.State != SessionState.Terminated && s.SessionId != 0)
                .ToList();
            if (cancel.IsCancellationRequested) return ExitCodes.Success;
            if (sessions.Count == 0)
            {
                io.Error.WriteLine($"pppoeproxy: no PPPoE session seen on {interfaceName} within {wait.TotalSeconds:0.#} s");
                return ExitCodes.RuntimeError;
            }
            Tables.WriteSessions(io.Out, sessions);
            var requests = sessions.Select(s => PadtRequest.ForSession(s, parsed.GetValue(message), parsed.GetValue(lcp))).ToList();
            return PadtCommand.SendWithConsent(io, requests, parsed.GetValue(yes), cancel);
        });
        return command;
    }
}
