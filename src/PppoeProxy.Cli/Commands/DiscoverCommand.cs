using System.CommandLine;
using PppoeProxy.Engine.Operations;

namespace PppoeProxy.Cli.Commands;

/// <summary>`pppoeproxy discover`: send a PADI and list the access concentrators that answer.</summary>
public static class DiscoverCommand
{
    public static Command Build(Console2 io)
    {
        var iface = CliOptions.Interface(required: true);
        var service = new Option<string?>("--service") { Description = "Ask for this Service-Name (default: any)", HelpName = "NAME" };
        var timeout = CliOptions.Timeout("How long to collect PADOs (default 3)");
        var json = CliOptions.Json();
        var command = new Command("discover", "Probe for access concentrators with a PADI, like `pppoe -A`")
        {
            iface, service, timeout, json,
        };
        command.SetSyncAction(io, (parsed, cancel) =>
        {
            var wait = CliOptions.Seconds(parsed.GetValue(timeout)) ?? TimeSpan.FromSeconds(3);
            var offers = ServerDiscovery.Probe(parsed.GetValue(iface)!, parsed.GetValue(service), wait, cancel);
            if (parsed.GetValue(json)) foreach (var offer in offers) io.Out.WriteLine(EngineJson.Serialize(offer));
            else Tables.WriteOffers(io.Out, offers);
            io.Out.Flush();
            if (offers.Count > 0) return ExitCodes.Success;
            io.Error.WriteLine($"pppoeproxy: no access concentrator answered within {wait.TotalSeconds:0.#} s");
            return ExitCodes.RuntimeError;
        });
        return command;
    }
}
