using PppoeProxy.Engine.Operations;
using System.CommandLine;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Security;

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
        listen.Validators.Add(r => { if (!Endpoints.TryParseListen(r.GetValueOrDefault<string>() ?? "", out _, out var error)) r.AddError("--listen: " + error); });
        allow.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is string text && !CidrAllowList.TryParse(text, out _)) r.AddError($"--allow: '{text}' is not a list of CIDRs (e.g. 192.0.2.0/24,2001:db8::/32)"); });

        command.SetSyncAction(io, (parsed, cancel) =>
        {
            Endpoints.TryParseListen(parsed.GetValue(listen)!, out var endpoint, out _);
            var options = new ServerOptions
            {
                Interface = parsed.GetValue(iface)!,
                Listen = endpoint,
                Allow = parsed.GetValue(allow) is string text ? CidrAllowList.Parse(text) : CidrAllowList.LoopbackOnly,
                Security = shared.LoadSecurity(parsed),
                MacMode = parsed.GetValue(macMode),
                Grace = CliOptions.Seconds(parsed.GetValue(shared.Grace)) ?? TimeSpan.FromSeconds(30),
                StatsInterval = CliOptions.Seconds(parsed.GetValue(shared.Stats)),
            };
            return RunServer(options, parsed.GetValue(shared.LogLevel), shared.StatusPath(parsed, "server", options.Interface), cancel);
        });
        return command;
    }

    public static int RunServer(ServerOptions options, LogLevel level, string? statusPath, CancellationToken cancel) =>
        ProxyRunner.Run(log => new ProxyServer(options, log), level, statusPath, cancel);
}
