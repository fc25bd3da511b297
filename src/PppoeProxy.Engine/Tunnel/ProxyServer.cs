using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// The proxy server: accepts tunnels, injects their frames toward the AC and sends the AC's answers
/// back to the one tunnel that owns the client. One thread reads the AC side; each tunnel has a
/// reader and a writer thread. A graceful stop sends PADTs both ways and never hangs.
/// </summary>
public sealed class ProxyServer : IProxyEnd
{
    private readonly ServerOptions _options;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<long, TunnelLink> _links = new();
    private readonly CancellationTokenSource _stopCapture = new();
    private readonly CancellationTokenSource _captureFailed = new();
    private readonly EndTotals _totals = new();
    private volatile CaptureException? _captureFailure;
    private int _pendingHandshakes;
    private LiveCapture? _capture;
    private ServerRouter? _router;
    private Socket? _listener;
    private Thread? _captureThread;

    /// <summary>Sees every frame routed in either direction (see <see cref="FrameTap"/>).</summary>
    public FrameTap? Tap { get; set; }

    public ProxyServer(ServerOptions options, ILogger logger)
    {
        _options = options;
        _log = logger;
    }

    public string Role => "server";
    public string Interface => _options.Interface;
    public string Endpoint => LocalEndpoint?.ToString() ?? _options.Listen.ToString();

    /// <summary>The endpoint actually bound (port 0 in the options picks a free one).</summary>
    public IPEndPoint? LocalEndpoint { get; private set; }

    /// <summary>Opens the interface and the listener; errors here are the caller's one-line failures.</summary>
    public void Start()
    {
        var macBytes = NetworkInterfaces.GetMacBytes(_options.Interface);
        // Transparent mode must hear frames addressed to the remote clients' MACs.
        _capture = LiveCapture.Open(_options.Interface, CaptureOptions.ForRelay(_options.Interface, promiscuous: _options.MacMode == MacMode.Transparent));
        _router = new ServerRouter(_options.MacMode, macBytes is null ? default : MacAddress.Read(macBytes), _options.Interface,
            new SessionTracker(), _log);
        _listener = new Socket(_options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (_options.Listen.Address.Equals(IPAddress.IPv6Any)) _listener.DualMode = true;
        _listener.Bind(_options.Listen);
        _listener.Listen(64);
        // Kept: the socket is gone after Stop, but status and stats still name it.
        LocalEndpoint = (IPEndPoint?)_listener.LocalEndPoint;
        _captureThread = new Thread(CaptureLoop) { IsBackground = true, Name = "server-capture" };
        _captureThread.Start();
        _log.LogInformation("server listening on {Endpoint} ({Security}), interface {Interface} in {MacMode} mode, allow {Allow}",
            LocalEndpoint, SecurityText, _options.Interface, _options.MacMode.ToString().ToLowerInvariant(), _options.Allow);
        if (_options.Security is null)
            _log.LogWarning("the tunnel is NOT encrypted: PPP credentials cross it in clear text");
    }

    private string SecurityText => _options.Mode == TunnelMode.Legacy ? "legacy Go protocol, plain text"
        : _options.Security is null ? "plain text" : $"TLS 1.3, {_options.Security.TrustedFingerprints.Count} pinned client certificate(s)";

    /// <summary>Serves until cancelled, then stops gracefully; a fatal capture failure stops it too and is thrown after the stop.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        if (_listener is null) Start();
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancel, _captureFailed.Token);
        var stop = running.Token;
        var accepting = AcceptLoopAsync(stop);
        var lastStats = Environment.TickCount64;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), stop).ContinueWith(_ => { });
                ExpireHolds();
                CloseIdleLinks();
                if (_options.StatsInterval is TimeSpan every && Environment.TickCount64 - lastStats >= every.TotalMilliseconds)
                {
                    lastStats = Environment.TickCount64;
                    LogStats();
                }
            }
        }
        finally
        {
            Stop();
            await accepting.ContinueWith(_ => { });
        }
        if (_captureFailure is { } failure) throw failure;
    }

    private async Task AcceptLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener!.AcceptAsync(stop); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            // Each handshake holds a thread of its own until it ends (at most HandshakeTimeout): a flood of
            // silent connections must not become a flood of threads.
            if (Interlocked.Increment(ref _pendingHandshakes) > _options.MaxPendingHandshakes)
            {
                Interlocked.Decrement(ref _pendingHandshakes);
                _log.LogWarning("rejected {Peer}: {Max} handshakes already in progress", socket.RemoteEndPoint, _options.MaxPendingHandshakes);
                socket.Dispose();
                continue;
            }
            _ = Task.Run(() => HandleAsync(socket, stop));
        }
    }

    private async Task HandleAsync(Socket socket, CancellationToken stop)
    {
        TunnelLink link;
        try
        {
            link = await TunnelHandshake.AcceptAsync(socket, _options.Mode, _options.Mode == TunnelMode.V1 ? _options.Security : null,
                _options.Allow, _log, _options.HandshakeTimeout, stop);
        }
        catch (TunnelHandshakeException rejected)
        {
            _log.LogWarning("{Reason}", rejected.Message);
            return;
        }
        catch (OperationCanceledException) { return; }
        finally { Interlocked.Decrement(ref _pendingHandshakes); }
        _log.LogInformation("tunnel connected: {Peer}{Identity}", link.PeerName,
            link.PeerFingerprint is null ? " (plain text, not authenticated)" : $", authenticated by pinned certificate {link.PeerFingerprint}");
        _links[link.Id] = link;
        _totals.Track(link);
        link.Closed += OnLinkClosed;
        var scratch = new byte[FrameView.EthernetHeaderLength + 65535];
        var batch = new FrameBatch(slotBytes: _capture!.Options.SnapLength); // the reader thread's own; the GC frees it
        link.Start((l, frame) => FromTunnel(l, frame, scratch, batch), l => FlushInjections(l, batch));
        foreach (var mac in _router!.Owners.AdoptByIdentity(link))
            _log.LogInformation("tunnel {Peer} resumed the held sessions of {Mac} (same certificate)", link.PeerName, mac);
        if (stop.IsCancellationRequested) link.Close("server stopping");
    }

    private void FromTunnel(TunnelLink link, ReadOnlySpan<byte> frame, byte[] scratch, FrameBatch batch)
    {
        var view = FrameView.Parse(frame);
        var now = DateTimeOffset.UtcNow;
        int length = _router!.RouteFromTunnel(link, view, now, scratch, out bool inScratch);
        if (length < 0) return;
        Tap?.Invoke(view, now, TapDirection.FromTunnel);
        var bytes = inScratch ? scratch.AsSpan(0, length) : frame;
        // Batched: sent when full or when this read's records are done (no added wait).
        if (batch.TryAdd(bytes))
        {
            if (batch.IsFull) FlushInjections(link, batch);
            return;
        }
        FlushInjections(link, batch); // larger than a slot: keep the order, send it alone
        try { _capture!.Inject(bytes); }
        catch (Exception e) when (e is CaptureException or ObjectDisposedException) { link.Counters.Drop(DropReason.InjectFailed); }
    }

    private void FlushInjections(TunnelLink link, FrameBatch batch) => link.InjectCounted(_capture, batch);

    private void CaptureLoop()
    {
        var scratch = new byte[FrameView.EthernetHeaderLength + 65535];
        var capture = _capture!;
        try
        {
            while (!_stopCapture.IsCancellationRequested)
            {
                if (!capture.TryRead(out var captured)) continue;
                if (captured.IsTruncated) { _router!.Counters.Drop(DropReason.Malformed); continue; } // never relay a cut frame
                var view = FrameView.Parse(captured.Data);
                var link = _router!.RouteFromAc(view, captured.Timestamp, scratch, out var toSend);
                if (link is not null) Tap?.Invoke(FrameView.Parse(toSend), captured.Timestamp, TapDirection.FromAc);
                if (link is not null && !link.TrySendFrame(toSend, view.EtherType)) link.Counters.Drop(DropReason.QueueFull);
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

    private void OnLinkClosed(TunnelLink link, string reason)
    {
        _links.TryRemove(link.Id, out _);
        _totals.Retire(link);
        _log.LogInformation("tunnel disconnected: {Peer}: {Reason}", link.PeerName, reason);
        _router?.OnLinkClosed(link, _options.Grace);
    }

    private void ExpireHolds()
    {
        foreach (var mac in _router!.Owners.TakeExpired())
        {
            foreach (var session in _router.LiveSessionsOf(mac))
                SendPadtToAc(session, "grace period over");
        }
    }

    private void SendPadtToAc(PppoeSession session, string why)
    {
        var request = _router!.PadtTowardAc(session, $"pppoeproxy: {why}");
        try
        {
            foreach (var frame in PadtForge.Build(request)) _capture!.Inject(frame.ToBytes());
            _router.Ended(session);
            _log.LogInformation("PADT sent to AC {Ac} for session {Session} of {Client} ({Why})", session.ServerMac, session.SessionId, session.ClientMac, why);
        }
        catch (Exception e) when (e is CaptureException or ObjectDisposedException)
        {
            _log.LogError("PADT for session {Session} not sent: {Error}", session.SessionId, e.Message);
        }
    }

    private void CloseIdleLinks()
    {
        foreach (var link in _links.Values)
            if (link.SinceLastReceived > _options.IdleTimeout)
                link.Close($"no traffic or keepalive for {_options.IdleTimeout.TotalSeconds:0} s", goodbye: "idle timeout");
    }

    public ProxyStatus Status()
    {
        var router = _router;
        if (router is not null) CaptureDrops.Refresh(_capture, router.Counters);
        var owners = router?.Owners.Snapshot() ?? Array.Empty<(MacAddress, MacOwnership.Owner)>();
        var peers = _links.Values.Select(l => new PeerStatus(l.Id, l.PeerName, l.PeerFingerprint, l.ConnectedAt, l.IsOpen,
            l.Counters.Snapshot(), owners.Where(o => ReferenceEquals(o.Item2.CurrentLink, l)).Select(o => o.Item1.ToString()).ToList())).ToList();
        var sessions = router?.Tracker.Snapshot() ?? Array.Empty<PppoeSession>();
        return new ProxyStatus(Role, Interface, Endpoint, SecurityText,
            _options.MacMode.ToString().ToLowerInvariant(), peers, sessions,
            _totals.Snapshot(router?.Counters ?? new TunnelCounters()),
            owners.Where(o => o.Item2.IsHeld).Select(o => o.Item1.ToString()).ToList());
    }

    public void LogStats()
    {
        foreach (var line in Status().StatsLines()) _log.LogInformation("{Stats}", line);
    }

    private int _stopped;

    /// <summary>Graceful stop: PADT both ways for every tunnelled session, goodbye to every tunnel. Bounded in time.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        try { _listener?.Dispose(); } catch (SocketException) { }
        _stopCapture.Cancel();
        // The capture thread is each ring's only producer: it must be out before we queue PADTs.
        _captureThread?.Join(TimeSpan.FromSeconds(2));
        if (_router is not null)
        {
            foreach (var (mac, owner) in _router.Owners.Snapshot())
            {
                foreach (var session in _router.LiveSessionsOf(mac))
                {
                    // Tell the client's LAN through its tunnel (forged from the AC), then the AC.
                    if (owner.CurrentLink is { IsOpen: true } link)
                    {
                        var toClient = PadtForge.Padt(session.ServerMac, session.ClientMac, (ushort)session.SessionId, session.VlanTags, "pppoeproxy: server stopping");
                        link.TrySendFrame(toClient.ToBytes(), EtherTypes.PppoeDiscovery);
                    }
                    SendPadtToAc(session, "server stopping");
                }
            }
        }
        Parallel.ForEach(_links.Values, link => link.Close("server stopping", goodbye: "server stopping", flushTimeout: TimeSpan.FromSeconds(1)));
        LogStats();
        _capture?.Dispose();
    }

    public void Dispose() => Stop();
}
