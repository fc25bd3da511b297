using System.Runtime.InteropServices;

namespace PackageBench;

/// <summary>CPU time of the calling thread (clock_gettime CLOCK_THREAD_CPUTIME_ID): what one capture/send loop costs.</summary>
public static partial class CpuClock
{
    private const int ThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    public static long ThreadNanoseconds()
    {
        ClockGetTime(ThreadCpuTime, out var time);
        return time.Seconds * 1_000_000_000L + time.Nanoseconds;
    }
}
