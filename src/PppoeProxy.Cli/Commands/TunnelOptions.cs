using System.CommandLine;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Cli.Commands;

/// <summary>Options the server and client share: TLS material or --insecure, stats, log level. Checked by the engine's options builder.</summary>
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
    public Option<string?> Transport { get; } = new("--transport")
    {
        Description = "tcp (TLS 1.3, the default) or udp (DTLS 1.2: no head-of-line blocking on a lossy path; same certificates and pins)",
        HelpName = "tcp|udp",
    };
    public Option<bool> Insecure { get; } = new("--insecure") { Description = "Plain text, no TLS: PPP credentials cross the tunnel in clear" };
    public Option<string?> Stats { get; } = CliOptions.SecondsText("--stats", "Print counters every S seconds (always printed on exit)");
    public Option<string?> Grace { get; } = CliOptions.SecondsText("--grace", $"Hold sessions of a dropped tunnel this long before PADT (default {ProxyEndOptions.DefaultGrace.TotalSeconds:0})");
    public Option<string?> StatusSocket { get; } = new("--status-socket")
    {
        Description = "Unix socket answering `pppoeproxy status` (default /run/pppoeproxy/ROLE-IF.sock; 'none' turns it off)",
        HelpName = "PATH",
    };
    public Option<string?> GhostGuard { get; } = new("--ghost-guard")
    {
        Description = "End a client's ghost session (PADT to the AC) when the client restarts discovery and no longer answers on it: on (default) or off",
        HelpName = "on|off",
    };
    public Option<LogLevel> LogLevel { get; } = new("--log-level") { Description = "Trace, Debug, Information, Warning, Error", DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Information };

    // issue 12 (ops): metrics endpoint
    public Option<string?> Metrics { get; } = MetricsOption();

    // issue 14: checked by the engine's options builder, which also holds the default.
    public Option<string?> ClampMss { get; } = new("--clamp-mss")
    {
        Description = $"Lower the MSS of TCP SYNs both ways to fit the session: auto (the MTU agreed in LCP, else 1492; IPv4 MTU-40, IPv6 MTU-60), N (the IPv4 MSS, {MssClampSetting.MinMss}-{MssClampSetting.MaxMss}; IPv6 gets N-20) or off (default {ProxyOptionsBuilder.DefaultClampMss(new ProxySettings())})",
        HelpName = "auto|N|off",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Transport, Cert, Key, Trust, Insecure, Stats, StatusSocket, LogLevel, Grace, GhostGuard }) command.Options.Add(option);
        // issue 12 (ops)
        command.Options.Add(Metrics);
        // issue 14
        command.Options.Add(ClampMss);
    }

    private static Option<string?> MetricsOption()
    {
        var option = new Option<string?>(PppoeProxy.Cli.Metrics.MetricsEndpoint.Flag)
        {
            Description = "Serve Prometheus metrics at http://ADDR:PORT/metrics (a bare PORT means 127.0.0.1; * means every address; IPv4 only). Off by default",
            HelpName = "[ADDR:]PORT",
        };
        option.Validators.Add(result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (!PppoeProxy.Cli.Metrics.MetricsEndpoint.TryParse(text, out _, out _, out var problem))
                result.AddError($"{PppoeProxy.Cli.Metrics.MetricsEndpoint.Flag}: {problem}");
        });
        return option;
    }

    /// <summary>The shared flags as typed, for the engine's options builder.</summary>
    public ProxySettings Settings(ParseResult parsed) => new()
    {
        Certificate = parsed.GetValue(Cert),
        Key = parsed.GetValue(Key),
        Trust = parsed.GetValue(Trust),
        Insecure = parsed.GetValue(Insecure),
        Transport = parsed.GetValue(Transport),
        Grace = parsed.GetValue(Grace),
        Stats = parsed.GetValue(Stats),
        GhostGuard = parsed.GetValue(GhostGuard),
        ClampMss = parsed.GetValue(ClampMss),
    };

    /// <summary>The status socket path, or null when turned off.</summary>
    public string? StatusPath(ParseResult parsed, string role, string interfaceName) => parsed.GetValue(StatusSocket) switch
    {
        null => StatusEndpoint.DefaultPath(role, interfaceName),
        "none" or "" => null,
        var path => path,
    };
}
