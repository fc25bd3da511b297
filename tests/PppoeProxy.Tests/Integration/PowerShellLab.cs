using System.Net;
using System.Net.Sockets;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// A split netns lab (real rp-pppoe AC and home client) for the cmdlets: the proxy server's side is
/// NAME-s, the client's NAME-c, both in the root namespace where the in-process runspaces run.
/// Owns its runspaces, captures, lab and files and removes them all, whatever state a test left.
/// </summary>
public sealed class PowerShellLab : IDisposable
{
    private readonly List<ModuleHost> _hosts = new();
    private readonly List<PacketCapture> _captures = new();
    private readonly TempFolder _temp = new();

    public NetnsLab Lab { get; }
    public int Port { get; } = TunnelLab.FreeLoopbackPort();
    public string Endpoint => $"127.0.0.1:{Port}";
    public string Dir => _temp.Path;
    public string ServerSide => Lab.ServerSideIf;
    public string ClientSide => Lab.ClientSideIf;

    public PowerShellLab()
    {
        try { Lab = NetnsLab.Start(split: true); }
        catch { _temp.Dispose(); throw; }
    }

    /// <summary>A runspace with the module imported, disposed (its jobs removed) with the lab.</summary>
    public ModuleHost NewHost()
    {
        var host = new ModuleHost();
        _hosts.Add(host);
        return host;
    }

    /// <summary>The AC's per-session logs (ppp-peer.py under pppoe-server): "EXIT reason=signal 15" when a PADT ended one.</summary>
    public string AcLog() => string.Join('\n', Directory.GetFiles(Lab.StateDir, "ac-*.log").Select(File.ReadAllText));

    /// <summary>
    /// tcpdump beside pppoe-server: what really reached the AC. tcpdump hands frames over in blocks (no
    /// --immediate-mode), so read it only a second or more after the last frame of interest.
    /// </summary>
    public PacketCapture CaptureAtAc()
    {
        var capture = PacketCapture.Start(Lab.AcNs, Lab.AcIf, "pppoed or pppoes", Dir);
        _captures.Add(capture);
        return capture;
    }

    /// <summary>Polls a script until it outputs $true; false if it never did within the timeout.</summary>
    public static bool WaitFor(ModuleHost host, string script, TimeSpan timeout) => NetnsLab.WaitUntil(() =>
    {
        var r = host.Run(script);
        return r.AllErrors.Count == 0 && r.Objects.Count == 1 && r.Objects[0] is true;
    }, timeout, TimeSpan.FromMilliseconds(250));

    /// <summary>True when nothing listens on or holds the lab's tunnel port any more.</summary>
    public bool PortIsFree()
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, Port);
            probe.Start();
            return true;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>True when something listens on the lab's tunnel port (read from /proc: no connection is made).</summary>
    public bool IsListening()
    {
        var port = $":{Port:X4} ";
        // /proc/net/tcp columns: sl local_address rem_address st ...; st 0A is LISTEN.
        return File.ReadLines("/proc/net/tcp").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(f => f.Length > 3 && (f[1] + " ").EndsWith(port, StringComparison.Ordinal) && f[3] == "0A");
    }

    /// <summary>Names of the engine's threads still alive in this process (they name themselves).</summary>
    public static IReadOnlyList<string> EngineThreads() => Directory.GetDirectories("/proc/self/task")
        .Select(t => { try { return File.ReadAllText(Path.Combine(t, "comm")).Trim(); } catch (IOException) { return ""; } })
        .Where(n => n.StartsWith("server-capture") || n.StartsWith("client-capture") || n.StartsWith("tunnel-"))
        .ToList();

    /// <summary>The home client's log (ppp-peer.py): EXIT once its pppoe got a PADT and ended.</summary>
    public string HomeLog()
    {
        var file = Path.Combine(Lab.StateDir, "client-1.log");
        return File.Exists(file) ? File.ReadAllText(file) : "";
    }

    /// <summary>Processes left in the home namespace (the rp-pppoe client and its PPP peer while dialled).</summary>
    public IReadOnlyList<string> HomeProcesses() => NetnsLab.Run("ip", new[] { "netns", "pids", Lab.HomeNs }, TimeSpan.FromSeconds(5))
        .Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(pid => NetnsLab.ProcessAlive(int.Parse(pid))).ToList();

    public string Diagnostics() => Lab.Logs();

    public void Dispose()
    {
        // Each step on its own: one failure must not leave the rest behind.
        foreach (var host in _hosts) Try(host.Dispose);
        foreach (var capture in _captures) Try(capture.Dispose);
        Try(Lab.Dispose);
        Try(_temp.Dispose);
    }

    private static void Try(Action action)
    {
        try { action(); }
        catch (Exception) { /* best effort: keep cleaning up the rest */ }
    }
}
