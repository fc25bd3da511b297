using System.CommandLine;
using System.Text.Json;
using PppoeProxy.Engine.Guard;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Limits;

namespace PppoeProxy.Cli.Commands;

/// <summary>`pppoeproxy status`: sessions, peers and counters of running servers/clients, via their status sockets.</summary>
public static class StatusCommand
{
    public static Command Build(Console2 io)
    {
        var socket = new Option<string?>("--socket") { Description = "One proxy's status socket (default: every socket in /run/pppoeproxy)", HelpName = "PATH" };
        var json = CliOptions.Json();
        var command = new Command("status", "Show the sessions, tunnels and counters of running proxies without stopping them") { socket, json };
        command.SetSyncAction(io, (parsed, _) =>
        {
            bool explicitPath = parsed.GetValue(socket) is not null;
            var paths = parsed.GetValue(socket) is string one ? new[] { one }
                : Directory.Exists(StatusEndpoint.DefaultDirectory) ? Directory.GetFiles(StatusEndpoint.DefaultDirectory, "*.sock") : Array.Empty<string>();
            int failures = 0, stale = 0, shown = 0;
            foreach (var path in paths.OrderBy(p => p))
            {
                string line;
                try { line = StatusEndpoint.Query(path, TimeSpan.FromSeconds(5)); }
                catch (System.Net.Sockets.SocketException e) when (!explicitPath && e.SocketErrorCode is System.Net.Sockets.SocketError.ConnectionRefused)
                {
                    stale++; // left by a proxy that was killed: nothing to show, and not an error of this command
                    continue;
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                {
                    io.Error.WriteLine($"pppoeproxy: {path}: {Describe(e)}");
                    failures++;
                    continue;
                }
                shown++;
                if (parsed.GetValue(json)) io.Out.WriteLine(line);
                else WriteReadable(io.Out, path, line);
            }
            io.Out.Flush();
            if (stale > 0)
                io.Error.WriteLine($"pppoeproxy: skipped {stale} stale status socket(s) in {StatusEndpoint.DefaultDirectory} (their proxies are gone; the files can be deleted)");
            if (shown == 0 && failures == 0)
            {
                io.Error.WriteLine($"pppoeproxy: no running proxy found (no live status socket in {StatusEndpoint.DefaultDirectory})");
                return ExitCodes.RuntimeError;
            }
            return failures == 0 ? ExitCodes.Success : ExitCodes.RuntimeError;
        });
        return command;
    }

    // The runtime's socket messages repeat the path and name errno, not the situation.
    private static string Describe(Exception error) => error switch
    {
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressNotAvailable or System.Net.Sockets.SocketError.AddressFamilyNotSupported }
            or System.Net.Sockets.SocketException { ErrorCode: 2 } => "no such status socket (is the proxy running, and is this its --status-socket path?)",
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } => "nothing listens there (the proxy that made it is gone)",
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AccessDenied } => "permission denied (run as root or as the proxy's user)",
        _ => error.Message,
    };

    private static void WriteReadable(TextWriter output, string path, string json)
    {
        var status = JsonSerializer.Deserialize<StatusView>(json, EngineJson.Options)
            ?? throw new IOException($"{path}: unreadable status");
        // A guard has no tunnel: its security and MAC mode say nothing, its counters say what it did.
        output.WriteLine(status.Role == "guard"
            ? $"{status.Role} on {status.Interface}, {status.Endpoint} [{path}]"
            : $"{status.Role} on {status.Interface}, {status.Endpoint} ({status.Security}, {status.MacMode} mode) [{path}]");
        output.WriteLine($"  drops: {(status.Counters.Drops.Count == 0 ? "0" : string.Join(" ", status.Counters.Drops.Select(d => $"{d.Key}={d.Value}")))}" +
            (status.HeldClientMacs.Count > 0 ? $"; held clients: {string.Join(", ", status.HeldClientMacs)}" : ""));
        if (status.SessionBudget is { } budget)
            output.WriteLine($"  {new SessionBudgetStatus(budget.Max, budget.Sessions, budget.Discoveries)}");
        if (status.Guard is { } guard) output.WriteLine($"  {guard}");
        if (status.MssClamp is { Setting: not "off" } mss) output.WriteLine($"  {mss}");
        foreach (var peer in status.Peers)
            output.WriteLine($"  tunnel {peer.Name}{(peer.Fingerprint is null ? "" : $" [{peer.Fingerprint[..16]}…]")}: " +
                $"{peer.Counters.FramesToTunnel} frames out, {peer.Counters.FramesFromTunnel} in, clients {string.Join(",", peer.ClientMacs)}");
        Tables.WriteSessions(output, status.Sessions);
        output.WriteLine();
    }

    /// <summary>The status JSON read back (records with init-only shapes do not deserialize).</summary>
    private sealed class StatusView
    {
        public string Role { get; set; } = "";
        public string Interface { get; set; } = "";
        public string Endpoint { get; set; } = "";
        public string Security { get; set; } = "";
        public string MacMode { get; set; } = "";
        public List<PeerView> Peers { get; set; } = new();
        public List<PppoeSession> Sessions { get; set; } = new();
        public CountersView Counters { get; set; } = new();
        public List<string> HeldClientMacs { get; set; } = new();
        public MssClampStatus? MssClamp { get; set; }
        public GhostGuardStats? Guard { get; set; }
        public BudgetView? SessionBudget { get; set; }
    }

    private sealed class BudgetView
    {
        public int Max { get; set; }
        public int Sessions { get; set; }
        public int Discoveries { get; set; }
    }

    private sealed class PeerView
    {
        public string Name { get; set; } = "";
        public string? Fingerprint { get; set; }
        public CountersView Counters { get; set; } = new();
        public List<string> ClientMacs { get; set; } = new();
    }

    private sealed class CountersView
    {
        public long FramesToTunnel { get; set; }
        public long FramesFromTunnel { get; set; }
        public Dictionary<string, long> Drops { get; set; } = new();
    }
}
