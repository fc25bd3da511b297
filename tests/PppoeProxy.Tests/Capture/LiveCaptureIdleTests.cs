using System.Diagnostics;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Tests.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Capture;

/// <summary>
/// A daemon's capture thread waits on a quiet interface for months: it must sleep until a frame, its read
/// timeout or Dispose (a doorbell), not wake every 50 ms to look for a Dispose (20 wake-ups a second).
/// </summary>
public sealed class LiveCaptureIdleTests : IDisposable
{
    private readonly VethPair _veth = new();

    public void Dispose() => _veth.Dispose();

    [RootFact]
    public void AnIdleReaderSleepsUntilItsReadTimeoutAndDisposeWakesItAtOnce()
    {
        var capture = LiveCapture.Open(_veth.Local, new CaptureOptions { ReadTimeoutMs = 10_000 });
        int readerId = 0;
        Exception? readerEnd = null;
        var reader = new Thread(() =>
        {
            Volatile.Write(ref readerId, ThreadSwitches.CurrentThreadId());
            try { while (true) capture.Dispatch(_ => { }, 64); }
            catch (Exception e) { readerEnd = e; }
        }) { IsBackground = true };
        reader.Start();
        Thread.Sleep(300); // inside its wait by now

        long wakeups = ThreadSwitches.During(Volatile.Read(ref readerId), TimeSpan.FromSeconds(2));
        Assert.True(wakeups <= 4, $"the idle capture thread woke {wakeups} times in 2 s (50-ms slices: ~40)");

        var clock = Stopwatch.StartNew();
        capture.Dispose();
        Assert.True(reader.Join(TimeSpan.FromSeconds(3)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"Dispose took {clock.Elapsed} to wake the reader");
        Assert.IsType<ObjectDisposedException>(readerEnd);
    }
}
