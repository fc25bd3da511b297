using System.CommandLine;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Cli.Commands;

/// <summary>`pppoeproxy sessions`: list PPPoE sessions seen live or in a capture file.</summary>
public static class SessionsCommand
{
    public static Command Build(Console2 io)
    {
        var iface = CliOptions.Interface(required: false);
        var read = CliOptions.ReadFile();
        var timeout = CliOptions.Timeout("How long to listen (live capture; default 10)");
        var json = CliOptions.Json();
        var command = new Command("sessions", "List PPPoE sessions: client MAC, AC MAC, session id, state, and how sure the roles are")
        {
            iface, read, timeout, json,
        };
        command.Validators.Add(r => SourceRules.RequireOneSource(r, iface, read));
        command.SetSyncAction(io, (parsed, cancel) =>
        {
            IReadOnlyList<PppoeSession> sessions = parsed.GetValue(read) is string file
                ? SessionFinding.FromFile(file, cancellationToken: cancel)
                : SessionFinding.Live(parsed.GetValue(iface)!, CliOptions.Seconds(parsed.GetValue(timeout)) ?? TimeSpan.FromSeconds(10), cancel);
            Write(io, sessions, parsed.GetValue(json));
            return ExitCodes.Success;
        });
        return command;
    }

    public static void Write(Console2 io, IReadOnlyList<PppoeSession> sessions, bool asJson)
    {
        if (asJson) foreach (var session in sessions) io.Out.WriteLine(EngineJson.Serialize(session));
        else Tables.WriteSessions(io.Out, sessions);
        io.Out.Flush();
    }
}
