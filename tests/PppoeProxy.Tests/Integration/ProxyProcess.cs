using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// A long-running child process (our CLI, or tcpdump) whose stdout and stderr lines are collected
/// as they arrive, so tests can wait for a log line. Stop() is SIGTERM (the graceful path the
/// product documents), Kill() is SIGKILL (a crash); Dispose always kills.
/// </summary>
public sealed class ProxyProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stderr = new();
    private readonly List<string> _stdout = new();
    private readonly Task _readers;

    public string Name { get; }
    public int Pid { get; }

    private ProxyProcess(string name, string file, IEnumerable<string> args)
    {
        Name = name;
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        _process.StandardInput.Close();
        Pid = _process.Id;
        // Own threads, not the thread pool: reads must go on even when xUnit starves the pool.
        _readers = Task.WhenAll(Pump(_process.StandardError, _stderr), Pump(_process.StandardOutput, _stdout));
    }

    /// <summary>`dotnet pppoeproxy.dll ARGS` in the root namespace.</summary>
    public static ProxyProcess Cli(string name, params string[] args) =>
        new(name, "dotnet", new[] { RepoPaths.CliDll }.Concat(args));

    /// <summary>Any program, e.g. `ip netns exec NS tcpdump ...` (netns exec execs, so the pid is tcpdump's).</summary>
    public static ProxyProcess Start(string name, string file, params string[] args) => new(name, file, args);

    private static Task Pump(StreamReader reader, List<string> into)
    {
        var done = new TaskCompletionSource();
        new Thread(() =>
        {
            try
            {
                while (reader.ReadLine() is { } line)
                    lock (into) into.Add(line);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { }
            finally { done.TrySetResult(); }
        }) { IsBackground = true, Name = "proxy-process-reader" }.Start();
        return done.Task;
    }

    public IReadOnlyList<string> StderrLines { get { lock (_stderr) return _stderr.ToList(); } }
    public IReadOnlyList<string> StdoutLines { get { lock (_stdout) return _stdout.ToList(); } }
    public string Stderr => string.Join('\n', StderrLines);
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public bool HasLog(string pattern) => StderrLines.Any(l => Regex.IsMatch(l, pattern));
    public int CountLog(string pattern) => StderrLines.Count(l => Regex.IsMatch(l, pattern));

    /// <summary>Waits for a stderr line matching the regex; throws with the whole log if it never comes.</summary>
    public string WaitForLog(string pattern, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var hit = StderrLines.FirstOrDefault(l => Regex.IsMatch(l, pattern));
            if (hit is not null) return hit;
            if (sw.Elapsed > timeout || (HasExited && _readers.IsCompleted))
                throw new TimeoutException($"{Name}: no log line /{pattern}/ within {timeout.TotalSeconds} s " +
                                           $"(exited: {HasExited})\n{Stderr}");
            Thread.Sleep(50);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>SIGTERM, wait up to 10 s, then SIGKILL. True if it exited on its own.</summary>
    public bool Stop(TimeSpan? timeout = null)
    {
        if (HasExited) return true;
        kill(Pid, 15);
        bool graceful = _process.WaitForExit(timeout ?? TimeSpan.FromSeconds(10));
        if (!graceful) Kill();
        _readers.Wait(TimeSpan.FromSeconds(5)); // every line written before exit is in
        return graceful;
    }

    /// <summary>SIGKILL: no goodbye, no PADT (a crash or power cut).</summary>
    public void Kill()
    {
        if (HasExited) return;
        kill(Pid, 9);
        _process.WaitForExit(5000);
    }

    public void Dispose()
    {
        Kill();
        _readers.Wait(TimeSpan.FromSeconds(2));
        _process.Dispose();
    }

    public override string ToString() => $"--- {Name} (pid {Pid})\n{Stderr}";
}
