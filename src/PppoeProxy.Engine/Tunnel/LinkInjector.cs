using PppoeProxy.Engine.Capture;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// Injects what one tunnel delivered, on that tunnel's reader thread: frames are batched (one
/// sendmmsg for many) and sent when the batch is full or the read's records are done; every frame
/// the kernel refuses is counted as InjectFailed on the tunnel. Owned by the reader thread, which
/// disposes it (native memory) when it ends.
/// </summary>
internal sealed class LinkInjector : IDisposable
{
    private readonly LiveCapture _capture;
    private readonly TunnelCounters _counters;
    private FrameBatch? _batch; // the reader thread's; allocated by the first frame, so an idle tunnel holds none

    public LinkInjector(LiveCapture capture, TunnelCounters counters)
    {
        _capture = capture;
        _counters = counters;
    }

    /// <param name="inPlace">The frame's memory is pinned and stays unchanged until <see cref="Flush"/> (the
    /// link's read buffer): the batch points at it instead of copying it.</param>
    public void Add(ReadOnlySpan<byte> frame, bool inPlace = false)
    {
        var batch = _batch ??= new FrameBatch(slotBytes: _capture.Options.SnapLength);
        if (inPlace ? batch.TryAddInPlace(frame) : batch.TryAdd(frame))
        {
            if (batch.IsFull) Flush();
            return;
        }
        Flush(); // larger than a slot (copied frames only): keep the order, send it alone
        try { _capture.Inject(frame); }
        catch (Exception e) when (e is CaptureException or ObjectDisposedException) { _counters.Drop(DropReason.InjectFailed); }
    }

    public void Flush()
    {
        if (_batch is not { Count: > 0 }) return;
        int failed;
        try { failed = _capture.Inject(_batch); }
        catch (Exception e) when (e is CaptureException or ObjectDisposedException) { failed = _batch.Count; _batch.Clear(); }
        for (int i = 0; i < failed; i++) _counters.Drop(DropReason.InjectFailed);
    }

    public void Dispose() => _batch?.Dispose();
}
