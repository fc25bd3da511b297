using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Operations;

/// <summary>Where frames come from: a live interface or a capture file. Shared by the CLI and the cmdlets.</summary>
public static class FrameReading
{
    /// <summary>Reads PPPoE frames from a pcap/pcapng file; other ethertypes are skipped.</summary>
    /// <param name="progress">Fraction of the file read, reported every few thousand frames.</param>
    public static void ReadFile(string path, FrameHandler handler, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        using var reader = PcapFileReader.Open(path);
        long count = 0;
        while (!cancellationToken.IsCancellationRequested && reader.TryRead(out var captured))
        {
            var view = FrameView.Parse(captured.Data);
            if (++count % 4096 == 0 && progress is not null && reader.Length > 0)
                progress.Report((double)reader.Position / reader.Length);
            if (view.Error is FrameError.NotPppoe) continue;
            if (!handler(view, FromUnixMicros(captured.TimestampUnixMicros))) break;
        }
        progress?.Report(1.0);
    }

    /// <summary>
    /// Captures PPPoE frames on a live interface until the handler says stop, the timeout passes or
    /// the token is cancelled. Reads time out every 100 ms so cancellation is prompt.
    /// </summary>
    /// <param name="heartbeat">Called on this thread about every <see cref="HeartbeatPeriod"/>, frames or not (progress).</param>
    public static void Capture(string interfaceName, CaptureOptions options, FrameHandler handler, TimeSpan? timeout,
        CancellationToken cancellationToken = default, Action<LiveCapture>? onOpened = null, Action? heartbeat = null)
    {
        using var capture = LiveCapture.Open(interfaceName, options);
        onOpened?.Invoke(capture);
        Pump(capture, handler, timeout, cancellationToken, heartbeat);
    }

    public static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromMilliseconds(250);

    public static void Pump(LiveCapture capture, FrameHandler handler, TimeSpan? timeout, CancellationToken cancellationToken,
        Action? heartbeat = null)
    {
        var deadline = timeout is TimeSpan t && t > TimeSpan.Zero ? DateTime.UtcNow + t : DateTime.MaxValue;
        var nextBeat = DateTime.UtcNow;
        while (!cancellationToken.IsCancellationRequested && DateTime.UtcNow < deadline)
        {
            if (heartbeat is not null && DateTime.UtcNow >= nextBeat)
            {
                heartbeat();
                nextBeat = DateTime.UtcNow + HeartbeatPeriod;
            }
            if (!capture.TryRead(out var captured)) continue;
            var view = FrameView.Parse(captured.Data);
            if (view.Error is FrameError.NotPppoe) continue;
            if (!handler(view, FromUnixMicros(captured.TimestampUnixMicros))) return;
        }
    }

    public static DateTimeOffset FromUnixMicros(long micros) =>
        DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks(micros * 10);
}
