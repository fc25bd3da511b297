using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Cli.Commands;

/// <summary>Options the server and client share: TLS material or --insecure, stats, log level.</summary>
public sealed class TunnelOptions
{
    public Option<string?> Cert { get; } = new("--cert") { Description = "Our certificate (PEM), from `pppoeproxy cert new`", HelpName = "FILE" };
    public Option<string?> Key { get; } = new("--key") { Description = "Our private key (PEM)", HelpName = "FILE" };
    public Option<string[]> Trust { get; } = new("--trust")
    {
        Description = "SHA-256 fingerprint(s) of the peer certificate(s) to accept",
        HelpName = "FP[,FP...]",
        AllowMultipleArgumentsPerToken = true,
    };
    public Option<bool> Insecure { get; } = new("--insecure") { Description = "Plain text, no TLS: PPP credentials cross the tunnel in clear" };
    public Option<double?> Stats { get; } = CliOptions.Seconds("--stats", "Print counters every S seconds (always printed on exit)");
    public Option<double?> Grace { get; } = CliOptions.Seconds("--grace", "Hold sessions of a dropped tunnel this long before PADT (default 30)");
    public Option<string?> StatusSocket { get; } = new("--status-socket")
    {
        Description = "Unix socket answering `pppoeproxy status` (default /run/pppoeproxy/ROLE-IF.sock; 'none' turns it off)",
        HelpName = "PATH",
    };
    public Option<LogLevel> LogLevel { get; } = new("--log-level") { Description = "Trace, Debug, Information, Warning, Error", DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Information };

    public void AddTo(Command command, bool withGrace = true)
    {
        foreach (var option in new Option[] { Cert, Key, Trust, Insecure, Stats, StatusSocket, LogLevel }) command.Options.Add(option);
        if (withGrace) command.Options.Add(Grace);
        command.Validators.Add(Validate);
    }

    private void Validate(CommandResult result)
    {
        bool insecure = result.GetValue(Insecure);
        bool anyTls = result.GetResult(Cert) is not null || result.GetResult(Key) is not null || result.GetResult(Trust) is not null;
        bool allTls = result.GetResult(Cert) is not null && result.GetResult(Key) is not null && result.GetResult(Trust) is not null;
        if (insecure && anyTls) result.AddError("--insecure excludes --cert, --key and --trust");
        else if (!insecure && !allTls) result.AddError("TLS needs --cert FILE --key FILE --trust FP (or --insecure for plain text)");
    }

    /// <summary>The status socket path, or null when turned off.</summary>
    public string? StatusPath(ParseResult parsed, string role, string interfaceName) => parsed.GetValue(StatusSocket) switch
    {
        null => StatusEndpoint.DefaultPath(role, interfaceName),
        "none" or "" => null,
        var path => path,
    };

    public TunnelSecurity? LoadSecurity(ParseResult parsed) => parsed.GetValue(Insecure)
        ? null
        : TunnelSecurity.Load(parsed.GetValue(Cert)!, parsed.GetValue(Key)!, parsed.GetValue(Trust) ?? Array.Empty<string>());
}
