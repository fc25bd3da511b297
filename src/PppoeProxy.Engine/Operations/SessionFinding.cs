using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Operations;

/// <summary>Finds PPPoE sessions in a capture file or on the wire.</summary>
public static class SessionFinding
{
    public static IReadOnlyList<PppoeSession> FromFile(string path, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        // A file came from somewhere else: this host's MACs say nothing about it, and the
        // interface is unknown (a PADT for such a session needs one named explicitly).
        var tracker = new SessionTracker();
        DateTimeOffset? lastFrame = null;
        FrameReading.ReadFile(path, (in FrameView frame, DateTimeOffset time) =>
        {
            tracker.Observe(frame, time, null);
            if (lastFrame is null || time > lastFrame) lastFrame = time;
            return true;
        }, progress, cancellationToken);
        var sessions = tracker.Snapshot();
        // Idle in a file means "before the capture ended", not "before now" (which would be months).
        foreach (var session in sessions) session.CaptureEnd = lastFrame;
        return sessions;
    }

    /// <summary>
    /// Sniffs both directions for <paramref name="timeout"/>. With <paramref name="stopAfterFirst"/>,
    /// stops <paramref name="settle"/> after the first live session appears (time to learn roles).
    /// </summary>
    /// <param name="progress">Called on this thread about four times a second with (sessions, frames) seen so far.</param>
    public static IReadOnlyList<PppoeSession> Live(string interfaceName, TimeSpan timeout, CancellationToken cancellationToken,
        bool stopAfterFirst = false, TimeSpan? settle = null, Action<int, long>? progress = null)
    {
        long frames = 0;
        var localMacs = NetworkInterfaces.LocalMacs();
        var tracker = new SessionTracker(localMacs.Contains);
        DateTime? stopAt = null;
        var settleTime = settle ?? TimeSpan.FromSeconds(3);
        FrameReading.Capture(interfaceName, new CaptureOptions { Direction = CaptureDirection.Both },
            (in FrameView frame, DateTimeOffset time) =>
            {
                tracker.Observe(frame, time, interfaceName);
                frames++;
                if (stopAfterFirst && stopAt is null && frame.SessionId != 0 && frame.Code != (byte)PppoeCode.PADT)
                    stopAt = DateTime.UtcNow + settleTime;
                return stopAt is null || DateTime.UtcNow < stopAt;
            }, timeout, cancellationToken, heartbeat: progress is null ? null : () => progress(tracker.Count, frames));
        return tracker.Snapshot();
    }
}
