using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// What both proxy ends share: the capture and its thread (a fatal capture failure ends
/// <see cref="RunAsync"/>), counted injection of what tunnels deliver, the end's totals over all its
/// tunnels, the stats timer and lines, and the shape of the graceful stop. The server and the
/// client add only what differs: accepting and routing, dialling and reconnecting.
/// </summary>
public abstract class ProxyEnd : IProxyEnd
{
    private readonly CancellationTokenSource _stopCapture = new();
    private readonly CancellationTokenSource _captureFailed = new();
    private readonly EndTotals _totals = new();
    private readonly TimeSpan? _statsInterval;
    private volatile CaptureException? _captureFailure;
    private LiveCapture? _capture;
    private Thread? _captureThread;
    private long _lastStatsTicks = Environment.TickCount64;
    private int _started, _stopped;

    private protected ProxyEnd(string role, ProxyEndOptions options, ILogger logger)
    {
        Role = role;
        Interface = options.Interface;
        _statsInterval = options.StatsInterval;
        Log = logger;
        LimitedLog = new RateLimitedLog(logger);
        MssClamp = new MssClamper(options.ClampMss);
    }

    public string Role { get; }
    public string Interface { get; }
    public abstract string Endpoint { get; }
    /// <summary>Sees every frame in either direction (see <see cref="FrameTap"/>).</summary>
    public FrameTap? Tap { get; set; }
    public Action? Heartbeat { get; set; }

    private protected ILogger Log { get; }
    /// <summary>For every line a peer or the wire can cause: at most one per cause per second (see <see cref="RateLimitedLog"/>).</summary>
    private protected RateLimitedLog LimitedLog { get; }
    /// <summary>Drops that belong to no tunnel (captured while disconnected, unknown destination...).</summary>
    private protected TunnelCounters EndCounters { get; } = new();
    /// <summary>Set by an end in <see cref="OnStarting"/>; polled on the capture thread, the one that may send its probes and PADTs.</summary>
    private protected Guard.GhostGuard? Guard { get; set; }
    /// <summary>Clamps the MSS of TCP SYNs either way (--clamp-mss); the ends call it on each frame they forward.</summary>
    private protected MssClamper MssClamp { get; }
    /// <summary>Scratch a tunnel's reader needs for a clamped SYN: a frame of any size.</summary>
    private protected int ClampScratchBytes => MssClamp.IsOn ? FrameView.EthernetHeaderLength + 65535 : 0;
    private protected LiveCapture Capture => _capture ?? throw new InvalidOperationException($"the {Role} is not started");
    private protected bool IsStarted => Volatile.Read(ref _started) == 1;

    private protected abstract CaptureOptions CaptureOptionsFor();
    /// <summary>After the capture opened, before its thread starts: sockets, routing state.</summary>
    private protected virtual void OnStarting() { }
    private protected virtual void OnStarted() { }
    /// <summary>On the capture thread: one whole frame (cut frames are dropped before). The bytes are libpcap's
    /// ring, valid only during the call: whatever must outlive it (a held discovery) is copied.</summary>
    private protected abstract void OnCaptured(ReadOnlySpan<byte> frame, DateTimeOffset time);
    /// <summary>Runs until <paramref name="stop"/> (the caller's token, or a fatal capture failure).</summary>
    private protected abstract Task ServeAsync(CancellationToken stop);
    /// <summary>First step of the stop, also after a failed start: stop taking new work (close the listener).</summary>
    private protected virtual void OnStopRequested() { }
    /// <summary>With the capture thread out: PADTs both ways, goodbyes.</summary>
    private protected abstract void OnStopping();
    private protected abstract ProxyStatus Describe(TunnelCountersSnapshot totals);

    /// <summary>Opens the interface and sockets; errors here are the caller's one-line failures.</summary>
    public void Start()
    {
        if (_capture is not null) return;
        try
        {
            _capture = LiveCapture.Open(Interface, CaptureOptionsFor());
            OnStarting();
            _captureThread = new Thread(CaptureLoop) { IsBackground = true, Name = $"{Role}-capture" };
            _captureThread.Start();
            Volatile.Write(ref _started, 1);
        }
        catch
        {
            Stop(); // a failed start leaves nothing open and prints no stats
            throw;
        }
        OnStarted();
        if (MssClamp.IsOn)
            Log.LogInformation("clamping the MSS of TCP SYNs both ways: {Setting}", MssClamp.Setting.IsAuto
                ? "auto (the session's LCP MTU - 40, IPv6 - 60)" : $"{MssClamp.Setting.FixedMss} (IPv6 {Math.Max(MssClampSetting.MinMss, MssClamp.Setting.FixedMss!.Value - 20)})");
        if (Guard is { Enabled: false }) Log.LogInformation("ghost guard off: a client's ghost session lives until the AC times it out (--ghost-guard)");
    }

    /// <summary>Serves until cancelled, then stops gracefully; a fatal capture failure stops it too and is thrown after the stop.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        Start();
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancel, _captureFailed.Token);
        try { await ServeAsync(running.Token); }
        finally { Stop(); }
        if (_captureFailure is { } failure) throw InterfaceGone(failure) ?? failure;
    }

    /// <summary>
    /// Deleting a link takes it down first, so the capture may fail with "is down" an instant before
    /// the link is gone: a down link that vanishes within half a second was being deleted, and both
    /// front ends should say so.
    /// </summary>
    private CaptureException? InterfaceGone(CaptureException failure)
    {
        if (failure.Kind is not (CaptureErrorKind.InterfaceDown or CaptureErrorKind.InterfaceNotFound or CaptureErrorKind.Other)) return null;
        for (int waited = 0; waited <= 500; waited += 50)
        {
            if (!NetworkInterfaces.Exists(Interface)) return CaptureErrors.InterfaceWentAway(Interface, Role, failure);
            if (NetworkInterfaces.IsUp(Interface)) return null;
            Thread.Sleep(50);
        }
        return null;
    }

    private void CaptureLoop()
    {
        var capture = _capture!;
        CapturedFrameHandler onFrame = OnFrame; // once: a method group converted in the loop would allocate per batch
        try
        {
            while (!_stopCapture.IsCancellationRequested)
            {
                Guard?.Poll();
                // Frames are read where libpcap's ring holds them, a batch at a time (see LiveCapture.Dispatch).
                TunnelSender.BeginBatch();
                try { capture.Dispatch(onFrame, CaptureBatchFrames); }
                finally { TunnelSender.EndBatch(); }
            }
        }
        catch (CaptureException error) when (!_stopCapture.IsCancellationRequested)
        {
            // Fatal (e.g. the interface was deleted): RunAsync stops gracefully and throws it.
            _captureFailure = error;
            _captureFailed.Cancel();
        }
        catch (Exception e) when (e is CaptureException or ObjectDisposedException) { }
    }

    // Bounds the work between two checks of the guard and of the stop.
    private const int CaptureBatchFrames = 64;

    private void OnFrame(CapturedFrame captured)
    {
        if (captured.IsTruncated) { EndCounters.Drop(DropReason.Malformed); return; } // never relay a cut frame
        OnCaptured(captured.Data, captured.Timestamp);
    }

    /// <summary>
    /// Starts a tunnel's threads: each frame it delivers goes through <paramref name="route"/> and, if
    /// routed, is injected (batched, counted); the link's counters join the end's totals.
    /// </summary>
    private protected void Attach(TunnelLink link, TunnelFrameRoute route, int scratchBytes = 0)
    {
        _totals.Track(link);
        link.PeerLog = LimitedLog;
        link.Closed += (closed, _) => _totals.Retire(closed);
        var injector = new LinkInjector(Capture, link.Counters);
        // Allocated by the first frame (on the reader thread): an idle tunnel holds none.
        byte[]? scratch = scratchBytes > 0 ? null : Array.Empty<byte>();
        link.Start((l, frame) =>
        {
            // A frame left where the tunnel read it is injected from there (no staging copy); an edit in scratch is copied.
            if (route(l, frame, scratch ??= new byte[scratchBytes], out var toInject)) injector.Add(toInject, l.IsInReadBuffer(toInject));
        }, _ => injector.Flush(), _ => injector.Dispose());
    }

    /// <summary>Injects one frame we made ourselves (a PADT); null when sent, else the reason.</summary>
    private protected string? TryInject(ReadOnlySpan<byte> frame)
    {
        try
        {
            Capture.Inject(frame);
            return null;
        }
        catch (Exception e) when (e is CaptureException or ObjectDisposedException or InvalidOperationException) { return e.Message; }
    }

    /// <summary>Logs the stats lines when the interval (if any) has passed; the ends call it from their 250 ms loops.</summary>
    private protected void LogStatsWhenDue()
    {
        LimitedLog.Flush();
        // A dead capture thread is a hung proxy too: no heartbeat, and a watchdog restarts it.
        if (_captureFailure is null && _captureThread is { IsAlive: true }) Heartbeat?.Invoke();
        if (_statsInterval is not TimeSpan every || Environment.TickCount64 - _lastStatsTicks < every.TotalMilliseconds) return;
        _lastStatsTicks = Environment.TickCount64;
        LogStats();
    }

    /// <summary>A short wait that ends early, without throwing, when <paramref name="stop"/> is cancelled.</summary>
    private protected static Task PauseAsync(TimeSpan delay, CancellationToken stop) =>
        Task.Delay(delay, stop).ContinueWith(_ => { }, TaskScheduler.Default);

    private protected static string SecurityText(TunnelMode mode, TunnelSecurity? security, string tlsText) =>
        mode == TunnelMode.Legacy ? "legacy Go protocol, plain text" : security is null ? "plain text" : tlsText;

    public ProxyStatus Status()
    {
        // The kernel's capture-ring drops, so stats show them instead of hiding them.
        if (_capture is { } capture)
        {
            try { EndCounters.SetDrops(DropReason.CaptureOverflow, capture.GetStatistics().DroppedByKernel); }
            catch (Exception e) when (e is CaptureException or ObjectDisposedException) { }
        }
        return Describe(_totals.Snapshot(EndCounters)) with { Guard = Guard?.Stats, MssClamp = MssClamp.Snapshot() };
    }

    public void LogStats()
    {
        foreach (var line in Status().StatsLines()) Log.LogInformation("{Stats}", line);
    }

    /// <summary>Graceful stop, bounded in time: PADTs both ways and goodbyes, then the final stats lines.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        OnStopRequested();
        _stopCapture.Cancel();
        // The capture thread is each ring's only producer: it must be out before PADTs are queued.
        _captureThread?.Join(TimeSpan.FromSeconds(2));
        if (IsStarted)
        {
            OnStopping();
            LogStats();
        }
        _capture?.Dispose();
    }

    public void Dispose() => Stop();
}
