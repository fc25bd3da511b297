using System.CommandLine;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Cli.Commands;

/// <summary>`pppoeproxy guard`: the standalone ghost-session watcher (pppoesk, continuous and safe).</summary>
public static class GuardCommand
{
    public static Command Build(Console2 io)
    {
        var iface = CliOptions.Interface(required: true);
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Decide and log what would be sent (\"would send PADT ...\"); send no PADT (the LCP echo probes still go out)" };
        var stats = CliOptions.SecondsText("--stats", "Print counters every S seconds (always printed on exit)");
        var statusSocket = new Option<string?>("--status-socket")
        {
            Description = "Unix socket answering `pppoeproxy status` (default /run/pppoeproxy/guard-IF.sock; 'none' turns it off)",
            HelpName = "PATH",
        };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Trace, Debug, Information, Warning, Error", DefaultValueFactory = _ => LogLevel.Information };
        var command = new Command("guard",
            "Watch a segment where a PPPoE client lives; when the client restarts discovery while the AC still holds its old session, end that session with a PADT from the client's MAC")
        {
            iface, dryRun, stats, statusSocket, logLevel,
        };
        command.SetSyncAction(io, (parsed, cancel) =>
        {
            var options = GuardWatcherOptions.From(parsed.GetValue(iface), parsed.GetValue(stats), parsed.GetValue(dryRun));
            var statusPath = parsed.GetValue(statusSocket) switch
            {
                null => StatusEndpoint.DefaultPath("guard", options.Interface),
                "none" or "" => null,
                var path => path,
            };
            return ProxyRunner.Run(log => new GuardWatcher(options, log), parsed.GetValue(logLevel), statusPath, cancel);
        });
        return command;
    }
}
