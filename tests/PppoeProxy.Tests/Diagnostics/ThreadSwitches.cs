namespace PppoeProxy.Tests.Diagnostics;

/// <summary>
/// How often a thread went to sleep and was woken (its voluntary context switches, from /proc): the
/// measure of an idle thread that wakes on a timer to look around instead of sleeping until it is needed.
/// </summary>
internal static class ThreadSwitches
{
    /// <summary>The calling thread's kernel id (/proc/thread-self links to PID/task/TID).</summary>
    public static int CurrentThreadId()
    {
        var target = new FileInfo("/proc/thread-self").LinkTarget ?? throw new InvalidOperationException("no /proc/thread-self");
        return int.Parse(target[(target.LastIndexOf('/') + 1)..]);
    }

    /// <summary>The thread's voluntary context switches so far (it slept and was woken that often).</summary>
    public static long Voluntary(int threadId)
    {
        foreach (var line in File.ReadLines($"/proc/self/task/{threadId}/status"))
            if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) return long.Parse(line.AsSpan(24).Trim());
        throw new InvalidOperationException($"no switch count for thread {threadId}");
    }

    /// <summary>The wake-ups of <paramref name="threadId"/> while the caller waits <paramref name="idle"/>.</summary>
    public static long During(int threadId, TimeSpan idle)
    {
        long before = Voluntary(threadId);
        Thread.Sleep(idle);
        return Voluntary(threadId) - before;
    }
}
