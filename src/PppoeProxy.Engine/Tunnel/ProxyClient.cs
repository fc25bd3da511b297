using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// The proxy client: captures the LAN's PPPoE frames and carries them to the server, injecting the
/// answers. Reconnects with exponential backoff and jitter; frames captured while disconnected
/// are dropped and counted, never queued. Tells the LAN's PPPoE client its sessions are gone
/// (PADT) on a graceful stop, and when the tunnel has been down longer than the grace period.
/// </summary>
public sealed class ProxyClient : IProxyEnd
{
    private readonly ClientOptions _options;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopCapture = new();
    private readonly CancellationTokenSource _captureFailed = new();
    private readonly EndTotals _totals = new();
    private volatile CaptureException? _captureFailure;
    private readonly SessionTracker _tracker;
    private LiveCapture? _capture;
    private Thread? _captureThread;
    private volatile TunnelLink? _link;
    private long _disconnectedSinceTicks = Environment.TickCount64;
    private bool _lanToldAfterDisconnect;
    private int _stopped;

    /// <summary>Sees every frame in either direction (see <see cref="FrameTap"/>).</summary>
    public FrameTap? Tap { get; set; }

    public ProxyClient(ClientOptions options, ILogger logger)
    {
        _options = options;
        _log = logger;
        var localMacs = NetworkInterfaces.LocalMacs();
        _tracker = new SessionTracker(localMacs.Contains);
    }

    public string Role => "client";
    public string Interface => _options.Interface;
    public string Endpoint => $"{_options.ServerHost}:{_options.ServerPort}";

    /// <summary>Frames captured while no tunnel was up, and other drops that belong to no tunnel.</summary>
    public TunnelCounters Counters { get; } = new();
    public bool Connected => _link is { IsOpen: true };
    public int Connects { get; private set; }

    public void Start()
    {
        // Promiscuous: the LAN's client sends to the AC's MAC, which is not ours.
        _capture = LiveCapture.Open(_options.Interface, CaptureOptions.ForRelay(_options.Interface, promiscuous: true));
        _captureThread = new Thread(CaptureLoop) { IsBackground = true, Name = "client-capture" };
        _captureThread.Start();
    }

    /// <summary>Serves until cancelled, then stops gracefully; a fatal capture failure stops it too and is thrown after the stop.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        if (_capture is null) Start();
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancel, _captureFailed.Token);
        var stop = running.Token;
        var backoff = _options.MinBackoff;
        long lastStats = Environment.TickCount64;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                TunnelLink? link = null;
                try
                {
                    link = await TunnelHandshake.ConnectAsync(_options.ServerHost, _options.ServerPort, _options.Mode,
                        _options.Mode == TunnelMode.V1 ? _options.Security : null, _options.ClientName, _log, _options.ConnectTimeout, stop);
                }
                catch (TunnelHandshakeException failed)
                {
                    _log.LogWarning("cannot connect: {Reason}", failed.Message);
                }
                catch (OperationCanceledException) { break; }
                if (link is not null)
                {
                    backoff = _options.MinBackoff;
                    await ServeAsync(link, stop, () => MaybeStats(ref lastStats));
                    if (stop.IsCancellationRequested) break;
                }
                var delay = WithJitter(backoff);
                _log.LogInformation("reconnecting in {Delay:0.0} s", delay.TotalSeconds);
                await WaitAsync(delay, stop, () => MaybeStats(ref lastStats));
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }
        finally
        {
            Stop();
        }
        if (_captureFailure is { } failure) throw failure;
    }

    private async Task ServeAsync(TunnelLink link, CancellationToken stop, Action tick)
    {
        Connects++;
        _log.LogInformation("tunnel connected to {Server}{Identity}", link.PeerName,
            link.PeerFingerprint is null ? " (plain text, not authenticated)" : $", authenticated: server certificate {link.PeerFingerprint}");
        var scratch = new byte[FrameView.EthernetHeaderLength + 65535];
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _totals.Track(link);
        link.Closed += (l, reason) =>
        {
            _totals.Retire(l);
            closed.TrySetResult(reason);
        };
        var batch = new FrameBatch(slotBytes: _capture!.Options.SnapLength); // the reader thread's own; the GC frees it
        link.Start((l, frame) => FromTunnel(l, frame, batch), l => l.InjectCounted(_capture, batch));
        _link = link;
        _lanToldAfterDisconnect = false;
        long lastPing = Environment.TickCount64;
        while (link.IsOpen && !stop.IsCancellationRequested)
        {
            await Task.WhenAny(closed.Task, Task.Delay(250, stop)).ContinueWith(_ => { });
            tick();
            if (Environment.TickCount64 - lastPing >= _options.KeepAlive.TotalMilliseconds)
            {
                lastPing = Environment.TickCount64;
                link.SendPing();
            }
            // Three keepalives without an answer: the server is gone even if TCP has not noticed.
            if (link.SinceLastPong > 3 * _options.KeepAlive + TimeSpan.FromSeconds(1) && link.SinceLastReceived > 3 * _options.KeepAlive)
                link.Close($"server did not answer {3} keepalives");
        }
        _link = null;
        Volatile.Write(ref _disconnectedSinceTicks, Environment.TickCount64);
        if (!stop.IsCancellationRequested)
            _log.LogWarning("tunnel to {Server} lost: {Reason}", link.PeerName, link.CloseReason ?? "closed");
        else
            _stopLink = link;
    }

    private TunnelLink? _stopLink;

    private void FromTunnel(TunnelLink link, ReadOnlySpan<byte> frame, FrameBatch batch)
    {
        var view = FrameView.Parse(frame);
        var now = DateTimeOffset.UtcNow;
        _tracker.Observe(view, now, _options.Interface);
        Tap?.Invoke(view, now, TapDirection.FromTunnel);
        // Batched as on the server: sent when full or when this read's records are done.
        if (batch.TryAdd(frame))
        {
            if (batch.IsFull) link.InjectCounted(_capture, batch);
            return;
        }
        link.InjectCounted(_capture, batch);
        try { _capture!.Inject(frame); }
        catch (Exception e) when (e is CaptureException or ObjectDisposedException) { link.Counters.Drop(DropReason.InjectFailed); }
    }

    private void CaptureLoop()
    {
        var capture = _capture!;
        try
        {
            while (!_stopCapture.IsCancellationRequested)
            {
                if (!capture.TryRead(out var captured)) continue;
                if (captured.IsTruncated) { Counters.Drop(DropReason.Malformed); continue; } // never relay a cut frame
                var view = FrameView.Parse(captured.Data);
                if (!view.IsPppoe) continue;
                _tracker.Observe(view, captured.Timestamp, _options.Interface);
                Tap?.Invoke(view, captured.Timestamp, TapDirection.FromLan);
                var link = _link;
                if (link is null || !link.IsOpen) Counters.Drop(DropReason.Disconnected);
                else if (!link.TrySendFrame(captured.Data, view.EtherType)) link.Counters.Drop(DropReason.QueueFull);
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

    private async Task WaitAsync(TimeSpan delay, CancellationToken stop, Action tick)
    {
        var until = Environment.TickCount64 + (long)delay.TotalMilliseconds;
        while (!stop.IsCancellationRequested && Environment.TickCount64 < until)
        {
            await Task.Delay(250, stop).ContinueWith(_ => { });
            tick();
        }
    }

    private void MaybeStats(ref long lastStats)
    {
        if (_link is null && !_lanToldAfterDisconnect
            && Environment.TickCount64 - Volatile.Read(ref _disconnectedSinceTicks) > _options.Grace.TotalMilliseconds)
        {
            _lanToldAfterDisconnect = true;
            TellLanSessionsEnded($"tunnel down for more than {_options.Grace.TotalSeconds:0} s");
        }
        if (_options.StatsInterval is TimeSpan every && Environment.TickCount64 - lastStats >= every.TotalMilliseconds)
        {
            lastStats = Environment.TickCount64;
            LogStats();
        }
    }

    private TimeSpan WithJitter(TimeSpan backoff) =>
        TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * (0.75 + Random.Shared.NextDouble() * 0.5));

    private IReadOnlyList<PppoeSession> LiveSessions() =>
        _tracker.Find(s => s.State == SessionState.Established && s.SessionId != 0);

    /// <summary>PADT to the LAN's PPPoE client, forged from the AC's MAC, for every live session.</summary>
    private void TellLanSessionsEnded(string why)
    {
        foreach (var session in LiveSessions())
        {
            var padt = PadtForge.Padt(session.ServerMac, session.ClientMac, (ushort)session.SessionId, session.VlanTags, $"pppoeproxy: {why}");
            try
            {
                _capture!.Inject(padt.ToBytes());
                _tracker.MarkTerminated(session);
                _log.LogInformation("PADT sent to LAN client {Client} for session {Session} ({Why})", session.ClientMac, session.SessionId, why);
            }
            catch (Exception e) when (e is CaptureException or ObjectDisposedException)
            {
                _log.LogError("PADT to {Client} not sent: {Error}", session.ClientMac, e.Message);
            }
        }
    }

    public ProxyStatus Status()
    {
        CaptureDrops.Refresh(_capture, Counters);
        var link = _link;
        var peers = link is null ? new List<PeerStatus>() : new List<PeerStatus>
        {
            new(link.Id, link.PeerName, link.PeerFingerprint, link.ConnectedAt, link.IsOpen, link.Counters.Snapshot(), Array.Empty<string>()),
        };
        return new ProxyStatus(Role, Interface, Endpoint,
            _options.Mode == TunnelMode.Legacy ? "legacy Go protocol, plain text" : _options.Security is null ? "plain text" : "TLS 1.3, pinned server certificate",
            "transparent", peers, _tracker.Snapshot(), _totals.Snapshot(Counters), Array.Empty<string>());
    }

    public void LogStats()
    {
        foreach (var line in Status().StatsLines()) _log.LogInformation("{Stats}", line);
    }

    /// <summary>Graceful stop: PADT both ways (AC through the tunnel, LAN client locally), then goodbye.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _stopCapture.Cancel();
        _captureThread?.Join(TimeSpan.FromSeconds(2));
        var link = _link ?? _stopLink;
        foreach (var session in LiveSessions())
        {
            if (link is { IsOpen: true })
            {
                var toAc = PadtForge.Padt(session.ClientMac, session.ServerMac, (ushort)session.SessionId, session.VlanTags, "pppoeproxy: client stopping");
                if (link.TrySendFrame(toAc.ToBytes(), EtherTypes.PppoeDiscovery))
                    _log.LogInformation("PADT sent to AC {Ac} for session {Session} (client stopping)", session.ServerMac, session.SessionId);
            }
        }
        TellLanSessionsEnded("client stopping");
        link?.Close("client stopping", goodbye: "client stopping", flushTimeout: TimeSpan.FromSeconds(1));
        LogStats();
        _capture?.Dispose();
    }

    public void Dispose() => Stop();
}
