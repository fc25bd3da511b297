using System.CommandLine;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Cli.Commands;

/// <summary>`pppoeproxy server`: inject tunnelled frames toward the AC, route answers back per client.</summary>
public static class ServerCommand
{
    public static Command Build(Console2 io)
    {
        var iface = CliOptions.Interface(required: true);
        var listen = new Option<string>("--listen", "-l") { Description = "Address and port to accept tunnels on", Required = true, HelpName = "ADDR:PORT" };
        var allow = new Option<string?>("--allow") { Description = "Client addresses allowed, as CIDRs (default: loopback only)", HelpName = "CIDR[,CIDR...]" };
        var macMode = new Option<MacMode>("--mac-mode") { Description = "transparent (default; interface goes promiscuous) or rewrite (relay; works on a plain macvlan)", DefaultValueFactory = _ => MacMode.Transparent };
        var shared = new TunnelOptions();
        var command = new Command("server", "Run the proxy server: the end beside the access concentrator") { iface, listen, allow, macMode };
        shared.AddTo(command);
        var maxSessionsPerTunnel = new Option<string?>("--max-sessions-per-tunnel")
        {
            Description = $"Live sessions and discoveries one tunnel may have; past it its PADI/PADR are refused (default {ServerOptions.DefaultMaxSessionsPerTunnel})",
            HelpName = "N",
        };
        var maxTrackedSessions = new Option<string?>("--max-tracked-sessions")
        {
            Description = $"Sessions and discoveries tracked in total, ended ones included (default {ProxyEndOptions.DefaultMaxTrackedSessions})",
            HelpName = "N",
        };
        // issue 13: the line's own limit (FLET'S: 2 sessions, 5 with the paid option), minus sessions we do not carry.
        var maxSessions = new Option<string?>("--max-sessions")
        {
            Description = "Sessions at the AC all tunnels together may hold, discoveries in flight included; past it a PADI gets no forwarding, so no offer (default: unlimited)",
            HelpName = "N",
        };
        command.Options.Add(maxSessionsPerTunnel);
        command.Options.Add(maxTrackedSessions);
        command.Options.Add(maxSessions);
        // issue 12, limits: checked by the engine's options builder like every other value.
        var maxTunnels = new Option<string?>("--max-tunnels") { Description = $"Tunnels connected at once, legacy ones included (default {ServerOptions.DefaultMaxTunnels})", HelpName = "N" };
        var maxTunnelsPerSource = new Option<string?>("--max-tunnels-per-source") { Description = $"Tunnels from one address (IPv6: one /64) (default {ServerOptions.DefaultMaxTunnelsPerSource})", HelpName = "N" };
        var maxHandshakes = new Option<string?>("--max-handshakes") { Description = $"Handshakes in progress: N, or START:RATE:FULL to refuse RATE % at random from START on, all at FULL, like sshd's MaxStartups (default {Engine.Tunnel.Limits.HandshakeLimit.Default})", HelpName = "N|START:RATE:FULL" };
        var maxHandshakesPerSource = new Option<string?>("--max-handshakes-per-source") { Description = $"Handshakes in progress from one address (IPv6: one /64) (default {ServerOptions.DefaultMaxHandshakesPerSource})", HelpName = "N" };
        foreach (var option in new Option[] { maxTunnels, maxTunnelsPerSource, maxHandshakes, maxHandshakesPerSource }) command.Options.Add(option);

        command.SetSyncAction(io, (parsed, cancel) =>
        {
            var options = ProxyOptionsBuilder.Server(shared.Settings(parsed) with
            {
                Interface = parsed.GetValue(iface),
                Listen = parsed.GetValue(listen),
                Allow = parsed.GetValue(allow) is string text ? new[] { text } : null,
                MacMode = parsed.GetValue(macMode).ToString(),
                MaxSessionsPerTunnel = parsed.GetValue(maxSessionsPerTunnel),
                MaxTrackedSessions = parsed.GetValue(maxTrackedSessions),
                MaxSessions = parsed.GetValue(maxSessions),
                MaxTunnels = parsed.GetValue(maxTunnels),
                MaxTunnelsPerSource = parsed.GetValue(maxTunnelsPerSource),
                MaxHandshakes = parsed.GetValue(maxHandshakes),
                MaxHandshakesPerSource = parsed.GetValue(maxHandshakesPerSource),
            });
            return RunServer(options, parsed.GetValue(shared.LogLevel), shared.StatusPath(parsed, "server", options.Interface), cancel,
                parsed.GetValue(shared.Metrics));
        });
        return command;
    }

    public static int RunServer(ServerOptions options, LogLevel level, string? statusPath, CancellationToken cancel, string? metrics = null) =>
        ProxyRunner.Run(log => new ProxyServer(options, log), level, statusPath, cancel, metrics);
}
