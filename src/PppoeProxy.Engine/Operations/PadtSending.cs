using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Operations;

/// <summary>Sends the frames <see cref="PadtForge"/> builds, on a live interface.</summary>
public static class PadtSending
{
    /// <summary>Gap between the LCP Terminate-Request and the PADT, so the AC can act on the first.</summary>
    public static readonly TimeSpan TerminateGap = TimeSpan.FromMilliseconds(200);

    public static IReadOnlyList<PppoeFrame> Send(PadtRequest request, CancellationToken cancellationToken = default)
    {
        var frames = PadtForge.Build(request);
        using var capture = LiveCapture.OpenForInjection(request.Interface);
        bool gapPending = false;
        foreach (var frame in frames)
        {
            if (gapPending && frame.IsDiscovery)
            {
                cancellationToken.WaitHandle.WaitOne(TerminateGap);
                gapPending = false;
            }
            capture.Inject(frame.ToBytes());
            frame.Interface = request.Interface;
            frame.Time = DateTimeOffset.UtcNow;
            if (!frame.IsDiscovery) gapPending = true;
        }
        return frames;
    }
}
