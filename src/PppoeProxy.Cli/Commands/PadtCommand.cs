using System.CommandLine;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Cli.Commands;

/// <summary>`pppoeproxy padt`: forge a PADT from the client's MAC to the AC for a known session.</summary>
public static class PadtCommand
{
    public static Command Build(Console2 io)
    {
        var iface = CliOptions.Interface(required: true);
        var sessionId = CliOptions.SessionId();
        var clientMac = CliOptions.Mac("--client-mac", "The PPPoE client's MAC (the PADT's source)");
        var serverMac = CliOptions.Mac("--server-mac", "The access concentrator's MAC (the PADT's destination)");
        var vlans = CliOptions.Vlans();
        var message = CliOptions.Message();
        var lcp = CliOptions.LcpTerminate();
        var bothWays = new Option<bool>("--both-ways") { Description = "Also send a PADT to the client, from the AC's MAC" };
        var yes = CliOptions.Yes();
        var command = new Command("padt", "Terminate a PPPoE session at the access concentrator with a forged PADT")
        {
            iface, sessionId, clientMac, serverMac, vlans, message, lcp, bothWays, yes,
        };
        command.SetSyncAction(io, (parsed, cancel) =>
        {
            var request = new PadtRequest
            {
                Interface = parsed.GetValue(iface)!,
                SessionId = (ushort)parsed.GetValue(sessionId),
                ClientMac = parsed.GetValue(clientMac),
                ServerMac = parsed.GetValue(serverMac),
                VlanTags = VlanTag.FromIds(parsed.GetValue(vlans) ?? Array.Empty<int>()),
                Message = parsed.GetValue(message),
                LcpTerminate = parsed.GetValue(lcp),
                TowardClient = parsed.GetValue(bothWays),
            };
            return SendWithConsent(io, new[] { request }, parsed.GetValue(yes), cancel);
        });
        return command;
    }

    /// <summary>Shows what will be sent, asks unless --yes, then sends. Shared with `kill`.</summary>
    public static int SendWithConsent(Console2 io, IReadOnlyList<PadtRequest> requests, bool yes, CancellationToken cancel)
    {
        int frameCount = 0;
        foreach (var request in requests)
        {
            foreach (var frame in PadtForge.Build(request))
            {
                frame.Interface = request.Interface;
                io.Out.WriteLine($"  {(yes ? "sending" : "would send")} on {request.Interface}: {frame.Source} -> {frame.Destination} sid={frame.SessionId} {frame.Summary}");
                frameCount++;
            }
        }
        io.Out.Flush();
        if (!yes && !Consent.Ask(io, $"Send these {frameCount} frames?")) return ExitCodes.RuntimeError;
        foreach (var request in requests)
        {
            PadtSending.Send(request, cancel);
            io.Out.WriteLine($"PADT sent for session {request.SessionId} ({request.ClientMac} -> {request.ServerMac}) on {request.Interface}");
        }
        io.Out.Flush();
        return ExitCodes.Success;
    }
}
