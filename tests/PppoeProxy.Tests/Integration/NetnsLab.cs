using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PppoeProxy.Tests.Integration;

/// <summary>A PPPoE session the lab dialled. MACs are lowercase, colon separated.</summary>
public sealed record LabSession(ushort SessionId, string ClientMac, string AcMac);

public sealed record CommandResult(int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    public bool Ok => ExitCode == 0 && !TimedOut;
    public override string ToString() =>
        $"exit={ExitCode} timedOut={TimedOut}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Two network namespaces with real rp-pppoe peers, driven by tests/lab/lab.sh:
/// NAME-ac runs pppoe-server on veth NAME-a; NAME-home dials from veth NAME-h.
/// Direct mode links NAME-a and NAME-h; split mode leaves NAME-s (AC side) and
/// NAME-c (home side) in the root namespace for the proxy server/client instead.
/// Dispose tears everything down (lab.sh down).
/// </summary>
public sealed partial class NetnsLab : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private bool _disposed;

    public string Name { get; }
    public bool Split { get; }
    public string AcNs => $"{Name}-ac";
    public string HomeNs => $"{Name}-home";
    public string AcIf => $"{Name}-a";
    public string HomeIf => $"{Name}-h";
    /// <summary>Split mode: root-namespace end of the AC veth (proxy server side).</summary>
    public string ServerSideIf => $"{Name}-s";
    /// <summary>Split mode: root-namespace end of the home veth (proxy client side).</summary>
    public string ClientSideIf => $"{Name}-c";
    public string StateDir => $"/tmp/ppx-lab/{Name}";

    private NetnsLab(string name, bool split) { Name = name; Split = split; }

    public static string RepoRoot => RepoPaths.Root;
    public static string LabScript => Path.Combine(RepoRoot, "tests", "lab", "lab.sh");

    /// <summary>Brings up a lab with a random short name (veth names must fit 15 chars).</summary>
    public static NetnsLab Start(bool split = false, bool requirePap = false, bool onePerMac = false)
    {
        // PPX_LAB_PREFIX: two letters of the runner's own, so parallel runners' labs never share names.
        var prefix = Environment.GetEnvironmentVariable("PPX_LAB_PREFIX") is { Length: 2 } own && own.All(char.IsAsciiLetterLower) ? own : "px";
        var name = prefix + Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..6];
        var lab = new NetnsLab(name, split);
        var args = new List<string> { "up", name };
        if (split) args.Add("--split");
        if (requirePap) args.Add("--require-pap");
        if (onePerMac) args.Add("--one-per-mac");
        var r = Lab(args.ToArray());
        if (!r.Ok)
        {
            lab.Dispose(); // up may have failed half way
            throw new InvalidOperationException($"lab.sh up {name} failed: {r}");
        }
        return lab;
    }

    /// <summary>
    /// Dials a session from the home namespace; returns once LCP (and PAP) is up. <paramref name="servedBy"/>:
    /// another split lab whose AC answers (this lab's home is tunnelled to that lab's AC side).
    /// <paramref name="acPeerMac"/>: the MAC the AC knows the client by, if a relay rewrites it.
    /// </summary>
    public LabSession Dial(bool pap = false, bool ipcp = false, NetnsLab? servedBy = null, string? acPeerMac = null)
    {
        var args = new List<string> { "dial", Name };
        if (pap) args.Add("--pap");
        if (ipcp) args.Add("--ipcp");
        if (servedBy is not null) args.AddRange(new[] { "--ac", servedBy.Name });
        if (acPeerMac is not null) args.AddRange(new[] { "--ac-peer", acPeerMac });
        var r = Lab(args.ToArray());
        var m = DialLine().Match(r.Stdout);
        if (!r.Ok || !m.Success)
            throw new InvalidOperationException($"lab.sh dial {Name} failed: {r}\n{Logs()}");
        return new LabSession(ushort.Parse(m.Groups[1].Value), m.Groups[2].Value, m.Groups[3].Value);
    }

    /// <summary>SIGKILLs the client peer and its pppoe: no PADT, the AC keeps a ghost session.</summary>
    public void MakeGhost() => Check(Lab("ghost", Name), "ghost");

    /// <summary>SIGKILLs pppoe-server and its sessions (an AC crash: no PADT) and starts it again.</summary>
    public void RestartAc() => Check(Lab("restart-ac", Name), "restart-ac");

    /// <summary>SIGTERMs the client peer; its pppoe sends a PADT like a normal hang-up.</summary>
    public void HangUp() => Check(Lab("hangup", Name), "hangup");

    /// <summary>Alive AC per-session processes (pppoe-server's -q children): session id to pid.</summary>
    public IReadOnlyDictionary<ushort, int> AliveAcSessions()
    {
        var r = Check(Lab("sessions", Name), "sessions");
        var map = new Dictionary<ushort, int>();
        foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 2) map[ushort.Parse(f[1])] = int.Parse(f[0]);
        }
        return map;
    }

    public bool AcSessionProcessAlive(ushort sessionId) => AliveAcSessions().ContainsKey(sessionId);

    /// <summary>Every process currently inside either lab namespace.</summary>
    public IReadOnlyList<int> NamespacePids()
    {
        var pids = new List<int>();
        foreach (var ns in new[] { AcNs, HomeNs })
        {
            var r = Run("ip", new[] { "netns", "pids", ns }, TimeSpan.FromSeconds(5));
            foreach (var s in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(s.Trim(), out var p)) pids.Add(p);
        }
        return pids;
    }

    /// <summary>MAC of an interface inside a namespace (lowercase, colons).</summary>
    public string MacOf(string ns, string ifName)
    {
        var r = Check(RunIn(ns, TimeSpan.FromSeconds(5), "cat", $"/sys/class/net/{ifName}/address"), "mac");
        return r.Stdout.Trim().ToLowerInvariant();
    }

    /// <summary>Sends one PADT frame from the home namespace (scapy), e.g. to end a ghost.</summary>
    public CommandResult SendPadtFromHome(string srcMac, string dstMac, ushort sessionId)
    {
        var py = "from scapy.all import Ether, PPPoED, sendp\n" +
                 $"sendp(Ether(src='{srcMac}', dst='{dstMac}')/PPPoED(code=0xa7, sessionid={sessionId}), " +
                 $"iface='{HomeIf}', verbose=False)";
        return Check(RunInHome(TimeSpan.FromSeconds(15), "/usr/bin/python3", "-c", py), "scapy PADT");
    }

    public CommandResult RunInHome(TimeSpan timeout, string file, params string[] args) => RunIn(HomeNs, timeout, file, args);
    public CommandResult RunInAc(TimeSpan timeout, string file, params string[] args) => RunIn(AcNs, timeout, file, args);
    public CommandResult RunInHome(string file, params string[] args) => RunIn(HomeNs, DefaultTimeout, file, args);
    public CommandResult RunInAc(string file, params string[] args) => RunIn(AcNs, DefaultTimeout, file, args);

    public static CommandResult RunIn(string ns, TimeSpan timeout, string file, params string[] args) =>
        Run("ip", new[] { "netns", "exec", ns, file }.Concat(args), timeout);

    /// <summary>All lab logs (peer scripts, pppoe-server) for failure messages.</summary>
    public string Logs() => Lab("logs", Name).Stdout;

    /// <summary>Runs a command with captured output; kills its process tree on timeout.</summary>
    public static CommandResult Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var timedOut = !p.WaitForExit(timeout);
        if (timedOut)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit(5000);
        }
        // Bounded: a stray grandchild holding the pipe must not hang the test.
        Task.WaitAll(new Task[] { stdout, stderr }, TimeSpan.FromSeconds(5));
        return new CommandResult(timedOut ? -1 : p.ExitCode,
            stdout.IsCompletedSuccessfully ? stdout.Result : "",
            stderr.IsCompletedSuccessfully ? stderr.Result : "", timedOut);
    }

    /// <summary>Polls until the condition holds; false if it never did within the timeout.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout, TimeSpan? poll = null)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (condition()) return true;
            if (sw.Elapsed >= timeout) return false;
            Thread.Sleep(poll ?? TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>True if the pid runs and is not a zombie (pid 1 here reaps orphans lazily).</summary>
    public static bool ProcessAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return true; }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Lab("down", Name);
    }

    private static CommandResult Lab(params string[] args) =>
        Run("/bin/bash", new[] { LabScript }.Concat(args), DefaultTimeout);

    private static CommandResult Check(CommandResult r, string what) =>
        r.Ok ? r : throw new InvalidOperationException($"{what} failed: {r}");


    [GeneratedRegex(@"SESSION_ID=(\d+) CLIENT_MAC=([0-9a-f:]{17}) AC_MAC=([0-9a-f:]{17})")]
    private static partial Regex DialLine();
}
