using System.CommandLine;
using PppoeProxy.Cli.Commands;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Operations;

namespace PppoeProxy.Cli;

public static class CliApp
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin, bool interactive)
    {
        var io = new Console2(stdout, stderr, stdin, interactive);
        if (LegacyArgs.IsLegacy(args)) return RunLegacy(args, io);
        var root = BuildRoot(io);
        ParseResult parsed;
        var origins = new Dictionary<string, string>();
        FileOrigins.Value = origins;
        // Parsing runs our validators and parsers: whatever they throw is still one line, not a stack trace.
        try { parsed = root.Parse(ConfigFile.Expand(args, root, origins)); }
        catch (Exception error) { return Report(error, stderr); }
        if (parsed.Errors.Count > 0)
        {
            // One line, so a service log or a script sees the whole error in one place.
            stderr.WriteLine($"pppoeproxy: {PointAtFile(OneLine(parsed.Errors[0].Message))} (see 'pppoeproxy --help')");
            return ExitCodes.UsageError;
        }
        // Our own signal handling: Ctrl+C and SIGTERM cancel the token and the command stops
        // gracefully (PADTs, goodbyes; bounded to a few seconds) instead of the runtime killing it.
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null };
        using var signals = new StopSignals();
        try
        {
            return parsed.InvokeAsync(config, signals.Token).GetAwaiter().GetResult();
        }
        catch (Exception error)
        {
            return Report(error, stderr);
        }
    }

    private static int RunLegacy(string[] args, Console2 io)
    {
        using var signals = new StopSignals();
        try { return LegacyArgs.Run(args, io, signals.Token); }
        catch (Exception error) { return Report(error, io.Error); }
    }

    /// <summary>One line on stderr, never a stack trace; the exit code says what kind of failure.</summary>
    public static int Report(Exception error, TextWriter stderr)
    {
        while (error is AggregateException { InnerException: { } inner }) error = inner;
        // For bug reports: the whole exception, on request only.
        if (Environment.GetEnvironmentVariable("PPPOEPROXY_DEBUG") is "1") stderr.WriteLine(error.ToString());
        switch (error)
        {
            case UsageException:
                stderr.WriteLine($"pppoeproxy: {error.Message}");
                return ExitCodes.UsageError;
            case ProxyOptionsException bad:
                // A bad flag value reads like a parser error, hint included: --grace abc and --metrics abc differed.
                stderr.WriteLine($"pppoeproxy: {bad.Describe(SpellSetting)} (see 'pppoeproxy --help')");
                return ExitCodes.UsageError;
            case OperationCanceledException:
                return ExitCodes.Success;
            case CaptureException or PppoeProxy.Engine.Tunnel.Security.TunnelConfigException or System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException:
                stderr.WriteLine($"pppoeproxy: {FirstLine(error.Message)}");
                return ExitCodes.RuntimeError;
            default:
                stderr.WriteLine($"pppoeproxy: unexpected {error.GetType().Name}: {FirstLine(error.Message)}");
                return ExitCodes.RuntimeError;
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].TrimEnd();

    // Flags that came from --config, as "FILE:LINE"; async-local because tests run the CLI in parallel.
    private static readonly AsyncLocal<IReadOnlyDictionary<string, string>?> FileOrigins = new();

    // A bad value from the config file names the file and line to fix, not a flag the user never typed.
    private static string SpellSetting(string name) =>
        FileOrigins.Value?.TryGetValue("--" + name, out var at) == true ? $"{at}: {name}" : "--" + name;

    private static string PointAtFile(string message)
    {
        if (FileOrigins.Value is not { Count: > 0 } origins) return message;
        foreach (var (flag, at) in origins)
        {
            var named = System.Text.RegularExpressions.Regex.Match(message, $"(?<![\\w-]){System.Text.RegularExpressions.Regex.Escape(flag)}(?![\\w-])");
            if (named.Success) return $"{at}: {message.Remove(named.Index, 2)}";
        }
        return message;
    }

    // System.CommandLine lists suggestions on lines of their own ("Did you mean one of the
    // following?\nRewrite\nTransparent"); errors are one line, so fold them in.
    private static string OneLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length <= 1 ? text.Trim() : lines[0] + " " + string.Join(", ", lines[1..]);
    }

    public static RootCommand BuildRoot(Console2 io)
    {
        var root = new RootCommand("PppoeProxy: tunnel PPPoE across networks and kill ghost PPPoE sessions.");
        root.Subcommands.Add(FramesCommand.Build(io));
        root.Subcommands.Add(SessionsCommand.Build(io));
        root.Subcommands.Add(PadtCommand.Build(io));
        root.Subcommands.Add(KillCommand.Build(io));
        root.Subcommands.Add(DiscoverCommand.Build(io));
        root.Subcommands.Add(ServerCommand.Build(io));
        root.Subcommands.Add(ClientCommand.Build(io));
        root.Subcommands.Add(GuardCommand.Build(io));
        root.Subcommands.Add(CertCommand.Build(io));
        root.Subcommands.Add(StatusCommand.Build(io));
        return root;
    }

    /// <summary>Runs a synchronous command body with the token System.CommandLine cancels on Ctrl+C/SIGTERM.</summary>
    public static void SetSyncAction(this Command command, Console2 io, Func<ParseResult, CancellationToken, int> body) =>
        command.SetAction((parseResult, cancellationToken) =>
        {
            try
            {
                return Task.FromResult(body(parseResult, cancellationToken));
            }
            catch (Exception error)
            {
                return Task.FromResult(Report(error, io.Error));
            }
        });
}
