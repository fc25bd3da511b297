using PppoeProxy.Engine.Operations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using PppoeProxy.Cli.Commands;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Cli;

/// <summary>
/// The Go pppoeproxy's command line as a drop-in: `-interface IF -mode server|client -address ADDR
/// [-allow IP]`, with its defaults (mode client, allow 127.0.0.1). It speaks the legacy wire protocol,
/// in plain text, so either end of an existing deployment can be replaced on its own.
/// </summary>
public static partial class LegacyArgs
{
    [GeneratedRegex("^--?(interface|mode|address|allow)(=.*)?$")]
    private static partial Regex GoFlag();

    public static bool IsLegacy(string[] args) => args.Length > 0 && GoFlag().IsMatch(args[0]);

    public static int Run(string[] args, Console2 io, CancellationToken cancel)
    {
        var values = new Dictionary<string, string> { ["mode"] = "client", ["allow"] = "127.0.0.1" };
        for (int i = 0; i < args.Length; i++)
        {
            var match = GoFlag().Match(args[i]);
            if (!match.Success) return Usage(io, $"unexpected argument '{args[i]}' (Go-compatible form: -interface IF -mode server|client -address ADDR [-allow IP])");
            string name = match.Groups[1].Value;
            if (match.Groups[2].Success) values[name] = match.Groups[2].Value[1..];
            else if (i + 1 < args.Length) values[name] = args[++i];
            else return Usage(io, $"flag needs an argument: -{name}");
        }
        if (!values.TryGetValue("interface", out var iface) || iface.Length == 0) return Usage(io, "Interface name must be specified (-interface IF)");
        if (!values.TryGetValue("address", out var address) || address.Length == 0) return Usage(io, "Address must be specified (-address ADDR)");
        string mode = values["mode"];
        if (mode is not ("client" or "server")) return Usage(io, "Mode must be 'client' or 'server'");

        var typed = new ProxySettings { Interface = iface, Mode = TunnelMode.Legacy };
        ServerOptions? server = null;
        ClientOptions? client = null;
        try
        {
            if (mode == "server") server = ProxyOptionsBuilder.Server(typed with { Listen = address, Allow = new[] { values["allow"] } });
            else client = ProxyOptionsBuilder.Client(typed with { Server = address });
        }
        catch (ProxyOptionsException bad)
        {
            return Usage(io, bad.Describe(name => name is "listen" or "server" ? "-address" : "-" + name));
        }
        WarnUnencrypted(io);
        return server is not null
            ? ServerCommand.RunServer(server, LogLevel.Information, null, cancel)
            : ClientCommand.RunClient(client!, LogLevel.Information, null, cancel);
    }

    // Only once the flags are valid: a usage error must stay a single line on stderr.
    private static void WarnUnencrypted(Console2 io) =>
        io.Error.WriteLine("pppoeproxy: warning: Go-compatible legacy mode: the tunnel is NOT encrypted; switch to `pppoeproxy server|client` with TLS");

    private static int Usage(Console2 io, string message)
    {
        io.Error.WriteLine($"pppoeproxy: {message}");
        return ExitCodes.UsageError;
    }
}
