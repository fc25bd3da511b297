using System.CommandLine;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Cli.Commands;

/// <summary>`pppoeproxy client`: carry a LAN's PPPoE frames to a proxy server.</summary>
public static class ClientCommand
{
    public static Command Build(Console2 io)
    {
        var iface = CliOptions.Interface(required: true);
        var server = new Option<string>("--server", "-s") { Description = "The proxy server", Required = true, HelpName = "HOST:PORT" };
        var keepalive = CliOptions.SecondsText("--keepalive", $"Ping the server every S seconds (default {ClientOptions.DefaultKeepAlive.TotalSeconds:0}, {ClientOptions.DefaultUdpKeepAlive.TotalSeconds:0} with --transport udp); 3 missed answers = dead");
        var rekey = CliOptions.SecondsText("--rekey", $"--transport udp: renew the DTLS keys every S seconds with a fresh handshake, sessions kept (default {ClientOptions.DefaultRekeyInterval.TotalSeconds:0}; also after {ClientOptions.DefaultRekeyFrames} frames)");
        var shared = new TunnelOptions();
        var command = new Command("client", "Run the proxy client: the end on the remote LAN with the PPPoE client") { iface, server, keepalive, rekey };
        shared.AddTo(command);

        command.SetSyncAction(io, (parsed, cancel) =>
        {
            var options = ProxyOptionsBuilder.Client(shared.Settings(parsed) with
            {
                Interface = parsed.GetValue(iface),
                Server = parsed.GetValue(server),
                KeepAlive = parsed.GetValue(keepalive),
                Rekey = parsed.GetValue(rekey),
            });
            return RunClient(options, parsed.GetValue(shared.LogLevel), shared.StatusPath(parsed, "client", options.Interface), cancel,
                parsed.GetValue(shared.Metrics));
        });
        return command;
    }

    public static int RunClient(ClientOptions options, LogLevel level, string? statusPath, CancellationToken cancel, string? metrics = null) =>
        ProxyRunner.Run(log => new ProxyClient(options, log), level, statusPath, cancel, metrics);
}
