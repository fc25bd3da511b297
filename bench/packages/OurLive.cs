using PppoeProxy.Engine.Capture;

namespace PackageBench;

/// <summary>The engine's LiveCapture, configured like the SharpPcap contender (same snap, ring, filter, direction).</summary>
public sealed class OurLive : ILiveContender
{
    private readonly LiveCapture _capture;

    private OurLive(LiveCapture capture) => _capture = capture;

    public string Name => "ours (LiveCapture)";

    public static OurLive ForCapture(string iface) => new(LiveCapture.Open(iface, new CaptureOptions
    {
        Direction = CaptureDirection.Both, // SharpPcap cannot restrict direction; equal work
        Promiscuous = true,
        SnapLength = LiveCheck.SnapLength,
        BufferSizeBytes = LiveCheck.RingBytes,
        ReadTimeoutMs = 100,
        Filter = CaptureOptions.PppoeFilter,
    }));

    public static OurLive ForInjection(string iface) => new(LiveCapture.OpenForInjection(iface));

    public bool TryReadOne() => _capture.TryRead(out var frame) && frame.Data.Length > 0;

    public void Send(ReadOnlySpan<byte> frame) => _capture.Inject(frame);

    /// <summary>sendmmsg of a whole batch (what the proxy ends use); returns frames the kernel refused.</summary>
    public int Send(FrameBatch batch) => _capture.Inject(batch);

    public (long Received, long Dropped) Statistics()
    {
        var stats = _capture.GetStatistics();
        return (stats.Received, stats.DroppedByKernel);
    }

    public void Dispose() => _capture.Dispose();
}
