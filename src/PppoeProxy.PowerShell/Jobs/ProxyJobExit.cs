using System.Collections.Concurrent;
using System.Management.Automation.Runspaces;

namespace PppoeProxy.PowerShell.Jobs;

/// <summary>
/// Stops running proxy jobs when the shell goes away (exit, closed runspace): otherwise no PADT is
/// sent and the access concentrator keeps ghost sessions. Each stop is bounded by
/// <see cref="PppoeProxyJob.StopTimeout"/> and says what it did on stderr, the one stream left at exit.
/// </summary>
internal static class ProxyJobExit
{
    private static readonly ConcurrentDictionary<PppoeProxyJob, byte> Running = new();
    private static int _hooked;

    public static void Track(PppoeProxyJob job, Runspace? runspace)
    {
        Running[job] = 0;
        if (runspace is not null)
        {
            runspace.StateChanged += (_, e) =>
            {
                if (e.RunspaceStateInfo.State is RunspaceState.Closing or RunspaceState.Closed or RunspaceState.Broken)
                    StopForExit(job);
            };
        }
        if (Interlocked.Exchange(ref _hooked, 1) == 0) AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
    }

    public static void Forget(PppoeProxyJob job) => Running.TryRemove(job, out _);

    private static void StopAll()
    {
        // In parallel: each stop waits for its PADTs and tunnel close, and exit should not take N times that.
        Task.WaitAll(Running.Keys.Select(job => Task.Run(() => StopForExit(job))).ToArray(), PppoeProxyJob.StopTimeout);
    }

    private static void StopForExit(PppoeProxyJob job)
    {
        // Both hooks may fire (runspace closed, then process exit): the first one stops the job.
        if (!Running.TryRemove(job, out _)) return;
        try { Console.Error.WriteLine(job.StopForExit()); }
        catch (Exception e) { Console.Error.WriteLine($"PppoeProxy: stopping job {job.Id} at exit failed: {e.Message}"); }
    }
}
