using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Guard;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// The proxy client: captures the LAN's PPPoE frames and carries them to the server, injecting the
/// answers. Reconnects with exponential backoff and jitter; frames captured while disconnected
/// are dropped and counted, never queued. Tells the LAN's PPPoE client its sessions are gone
/// (PADT) on a graceful stop, and when the tunnel has been down longer than the grace period.
/// </summary>
public sealed class ProxyClient : ProxyEnd, IGuardActions
{
    private readonly ClientOptions _options;
    private readonly SessionTracker _tracker;
    private volatile TunnelLink? _link;
    private TunnelLink? _stopLink;
    private long _disconnectedSinceTicks = Environment.TickCount64;
    private bool _lanToldAfterDisconnect;
    private SessionSweeper? _sessionSweeper;
    // Sessions we hung up on the LAN while the tunnel was down past grace: the AC may still hold
    // them (a server that died cannot PADT it), so the next tunnel carries a PADT to the AC for each.
    private readonly List<PppoeSession> _endedWhileDown = new();
    // Until a server refuses the hello flag (it predates session claims), every dial offers them.
    private bool _offerClaims = true;
    // The capture thread's own, for a clamped SYN (empty while --clamp-mss is off).
    private byte[]? _captureScratch;

    public ProxyClient(ClientOptions options, ILogger logger) : base("client", options, logger)
    {
        _options = options;
        var localMacs = NetworkInterfaces.LocalMacs();
        _tracker = new SessionTracker(localMacs.Contains, options.MaxTrackedSessions);
        Guard = new GhostGuard(_tracker, options.GhostGuard, this, logger, LimitedLog);
    }

    public override string Endpoint => $"{_options.ServerHost}:{_options.ServerPort}";

    // Promiscuous: the LAN's client sends to the AC's MAC, which is not ours.
    private protected override CaptureOptions CaptureOptionsFor() => CaptureOptions.ForRelay(_options.Interface, promiscuous: true);

    private protected override async Task ServeAsync(CancellationToken stop)
    {
        var backoff = _options.MinBackoff;
        while (!stop.IsCancellationRequested)
        {
            TunnelLink? link = null;
            try
            {
                link = await TickWhile(Connect(stop), stop);
            }
            catch (TunnelHandshakeException failed) when (failed.RejectedFlags && _offerClaims)
            {
                // An older server: dial again at once without claims (it cannot recover sessions after its restart).
                _offerClaims = false;
                Log.LogWarning("server {Server} predates session claims; connecting without them", Endpoint);
                continue;
            }
            catch (TunnelHandshakeException failed)
            {
                Log.LogWarning("cannot connect: {Reason}", failed.Message);
            }
            catch (OperationCanceledException) { break; }
            if (link is not null)
            {
                backoff = _options.MinBackoff;
                await ServeLinkAsync(link, stop);
                if (stop.IsCancellationRequested) break;
            }
            var delay = WithJitter(backoff);
            Log.LogInformation("reconnecting in {Delay:0.0} s", delay.TotalSeconds);
            await WaitAsync(delay, stop);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    private Task<TunnelLink> Connect(CancellationToken stop) => _options.Transport == TunnelTransportKind.Udp
        ? Datagram.UdpHandshake.ConnectAsync(_options.ServerHost, _options.ServerPort, _options.Security, _options.ClientName, Log,
            _options.ConnectTimeout, stop, offerClaims: _offerClaims)
        : TunnelHandshake.ConnectAsync(_options.ServerHost, _options.ServerPort, _options.Mode,
            _options.Mode == TunnelMode.V1 ? _options.Security : null, _options.ClientName, Log, _options.ConnectTimeout, stop,
            offerClaims: _options.Mode == TunnelMode.V1 && _offerClaims);

    private static TaskCompletionSource<string> ClosedOf(TunnelLink link)
    {
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        link.Closed += (_, reason) => closed.TrySetResult(reason);
        return closed;
    }

    private async Task ServeLinkAsync(TunnelLink link, CancellationToken stop)
    {
        Log.LogInformation("tunnel connected to {Server}{Identity}", link.PeerName,
            link.PeerFingerprint is null ? " (plain text, not authenticated)" : $", authenticated: server certificate {link.PeerFingerprint}");
        var closed = ClosedOf(link);
        Attach(link, FromTunnel, ClampScratchBytes);
        SendClaims(link);
        HangUpAtAcWhatEndedWhileDown(link);
        _link = link;
        _lanToldAfterDisconnect = false;
        long lastPing = Environment.TickCount64;
        var renewal = new KeyRenewal(_options, Environment.TickCount64);
        while (link.IsOpen && !stop.IsCancellationRequested)
        {
            await Task.WhenAny(closed.Task, PauseAsync(TimeSpan.FromMilliseconds(250), stop));
            Tick();
            if (renewal.Due(link, Environment.TickCount64) is { } why)
            {
                Log.LogInformation("{Why}", why);
                renewal.Pending = Connect(stop);
            }
            if (renewal.Pending is { IsCompleted: true } pending)
            {
                renewal.Pending = null;
                if (pending.IsCompletedSuccessfully && link.IsOpen)
                {
                    // Make before break: the new association carries the claims, so the server moves the MACs to it
                    // (same certificate) before the old one says goodbye; no session is held or ended.
                    var fresh = pending.Result;
                    closed = ClosedOf(fresh);
                    Attach(fresh, FromTunnel);
                    SendClaims(fresh);
                    _link = fresh;
                    link.Close(renewal.Goodbye, goodbye: renewal.Goodbye, flushTimeout: TimeSpan.FromSeconds(1));
                    link = fresh;
                    renewal.Renewed(Environment.TickCount64);
                    Log.LogInformation("tunnel moved to a fresh association: {Server}{Identity}", fresh.PeerName,
                        fresh.PeerFingerprint is null ? " (plain text)" : $", keys renewed, server certificate {fresh.PeerFingerprint}");
                }
                else
                {
                    if (pending.IsCompletedSuccessfully) pending.Result.Close("not needed");
                    renewal.Failed(Environment.TickCount64);
                    Log.LogWarning("no fresh association ({Reason}); the tunnel goes on as it is and tries again in a minute",
                        pending.Exception?.InnerException?.Message ?? "tunnel closed meanwhile");
                }
            }
            if (Environment.TickCount64 - lastPing >= _options.KeepAlive.TotalMilliseconds)
            {
                lastPing = Environment.TickCount64;
                link.SendPing();
            }
            // Three keepalives without an answer: the server is gone even if TCP has not noticed.
            if (link.SinceLastPong > 3 * _options.KeepAlive + TimeSpan.FromSeconds(1) && link.SinceLastReceived > 3 * _options.KeepAlive)
                link.Close($"server did not answer {3} keepalives");
        }
        renewal.Abandon();
        _link = null;
        Volatile.Write(ref _disconnectedSinceTicks, Environment.TickCount64);
        if (!stop.IsCancellationRequested)
            Log.LogWarning("tunnel to {Server} lost: {Reason}", link.PeerName, link.CloseReason ?? "closed");
        else
            _stopLink = link;
    }

    private bool FromTunnel(TunnelLink link, ReadOnlySpan<byte> frame, Span<byte> scratch, out ReadOnlySpan<byte> toInject)
    {
        var view = FrameView.Parse(frame);
        toInject = frame;
        // A hostile or broken server must not make us inject what no LAN peer can act on.
        if (!view.IsValid)
        {
            link.Counters.Drop(DropReason.Malformed);
            return false;
        }
        var now = DateTimeOffset.UtcNow;
        _tracker.Observe(view, now, _options.Interface, FrameDirection.FromAc);
        Tap?.Invoke(view, now, TapDirection.FromTunnel);
        int clamped = MssClamp.Clamp(view, frame, scratch, _tracker);
        if (clamped >= 0) toInject = scratch[..clamped];
        return true;
    }

    private protected override void OnCaptured(ReadOnlySpan<byte> frame, DateTimeOffset time)
    {
        var view = FrameView.Parse(frame);
        if (!view.IsPppoe) return;
        if (!view.IsValid)
        {
            EndCounters.Drop(DropReason.Malformed);
            return;
        }
        // Inbound on the LAN: only the LAN's PPPoE clients send here (the capture never sees what we inject).
        _tracker.Observe(view, time, _options.Interface, FrameDirection.FromClient);
        Tap?.Invoke(view, time, TapDirection.FromLan);
        var link = _link;
        if (link is null || !link.IsOpen) EndCounters.Drop(DropReason.Disconnected);
        // A client restarting discovery may have left a ghost: the guard holds the frame until it knows.
        else if (view.IsDiscovery && Guard!.OnDiscovery(view, canHold: true) == GuardVerdict.Held) return;
        else
        {
            int clamped = MssClamp.Clamp(view, frame, _captureScratch ??= new byte[ClampScratchBytes], _tracker);
            link.TrySendFrame(clamped < 0 ? frame : _captureScratch.AsSpan(0, clamped), view.EtherType); // a refused frame is counted by the link
        }
    }

    // The ghost guard's sends, on the capture thread (the tunnel's one producer): PADTs and held
    // discovery go through the tunnel to the AC, probes onto the LAN.
    string? IGuardActions.SendTowardAc(ReadOnlySpan<byte> frame) =>
        _link is not { IsOpen: true } link ? "the tunnel is down"
        : link.TrySendFrame(frame, EtherTypes.PppoeDiscovery) ? null : "the tunnel refused it (queue full)";

    string? IGuardActions.SendTowardClient(ReadOnlySpan<byte> frame) => TryInject(frame);

    void IGuardActions.Release(ReadOnlySpan<byte> heldDiscovery)
    {
        if (_link is { IsOpen: true } link) link.TrySendFrame(heldDiscovery, EtherTypes.PppoeDiscovery);
        else EndCounters.Drop(DropReason.Disconnected);
    }

    /// <summary>
    /// Keeps the 250 ms duties (the grace period's LAN PADTs, stats) going while a connect is pending: a
    /// black-holed server holds a connect for the whole connect timeout, which may be longer than the grace.
    /// </summary>
    private async Task<T> TickWhile<T>(Task<T> pending, CancellationToken stop)
    {
        while (!pending.IsCompleted && !stop.IsCancellationRequested)
        {
            await Task.WhenAny(pending, PauseAsync(TimeSpan.FromMilliseconds(250), stop));
            if (!pending.IsCompleted) Tick();
        }
        return await pending;
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stop)
    {
        var until = Environment.TickCount64 + (long)delay.TotalMilliseconds;
        while (!stop.IsCancellationRequested && Environment.TickCount64 < until)
        {
            await PauseAsync(TimeSpan.FromMilliseconds(250), stop);
            Tick();
        }
    }

    private void Tick()
    {
        if (_link is null && !_lanToldAfterDisconnect
            && Environment.TickCount64 - Volatile.Read(ref _disconnectedSinceTicks) > _options.Grace.TotalMilliseconds)
        {
            _lanToldAfterDisconnect = true;
            var ended = TellLanSessionsEnded($"tunnel down for more than {_options.Grace.TotalSeconds:0} s");
            lock (_endedWhileDown) _endedWhileDown.AddRange(ended);
        }
        (_sessionSweeper ??= new SessionSweeper(_tracker, LimitedLog, perTunnelLimit: null)).Sweep(Array.Empty<TunnelLink>());
        LogStatsWhenDue();
    }

    private static TimeSpan WithJitter(TimeSpan backoff) =>
        TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * (0.75 + Random.Shared.NextDouble() * 0.5));

    /// <summary>
    /// Tells the server which client MACs and live sessions this client carries, before any frame:
    /// a server that restarted routes the AC's frames at once and can hold and PADT the sessions.
    /// </summary>
    private void SendClaims(TunnelLink link)
    {
        if (!link.ClaimsAgreed) return;
        var claims = new List<SessionClaim>();
        var claimed = new HashSet<ulong>();
        foreach (var session in LiveSessions())
        {
            claims.Add(new SessionClaim(session.ClientMac, session.ServerMac, (ushort)session.SessionId, session.VlanTags));
            claimed.Add(session.ClientMac.Value);
        }
        foreach (var session in _tracker.Find(s => s.State == SessionState.Discovering))
            if (claimed.Add(session.ClientMac.Value))
                claims.Add(new SessionClaim(session.ClientMac, default, 0, session.VlanTags));
        if (claims.Count == 0) return;
        var record = new byte[WireCodec.RecordHeaderSize + WireCodec.MaxClaimsPerRecord * WireCodec.ClaimEntrySize];
        foreach (var chunk in claims.Chunk(WireCodec.MaxClaimsPerRecord))
            link.SendClaims(record.AsSpan(0, WireCodec.WriteClaimsRecord(record, chunk)));
        Log.LogInformation("told {Server} about {Sessions} live session(s) of {Macs} client MAC(s)", link.PeerName, claims.Count(c => c.HasSession), claimed.Count);
    }

    private IReadOnlyList<PppoeSession> LiveSessions() =>
        _tracker.Find(s => s.State == SessionState.Established && s.SessionId != 0);

    private void HangUpAtAcWhatEndedWhileDown(TunnelLink link)
    {
        PppoeSession[] ended;
        lock (_endedWhileDown)
        {
            ended = _endedWhileDown.ToArray();
            _endedWhileDown.Clear();
        }
        foreach (var session in ended)
        {
            var toAc = PadtForge.Padt(session.ClientMac, session.ServerMac, (ushort)session.SessionId, session.VlanTags,
                "pppoeproxy: ended while the tunnel was down");
            if (link.TrySendFrame(toAc.ToBytes(), EtherTypes.PppoeDiscovery))
                Log.LogInformation("PADT sent to AC {Ac} for session {Session} (ended while the tunnel was down)", session.ServerMac, session.SessionId);
        }
    }

    /// <summary>PADT to the LAN's PPPoE client, forged from the AC's MAC, for every live session; returns the sessions ended.</summary>
    private List<PppoeSession> TellLanSessionsEnded(string why)
    {
        var ended = new List<PppoeSession>();
        foreach (var session in LiveSessions())
        {
            var padt = PadtForge.Padt(session.ServerMac, session.ClientMac, (ushort)session.SessionId, session.VlanTags, $"pppoeproxy: {why}");
            if (TryInject(padt.ToBytes()) is { } error)
            {
                Log.LogError("PADT to {Client} not sent: {Error}", session.ClientMac, error);
                continue;
            }
            _tracker.MarkTerminated(session);
            ended.Add(session);
            Log.LogInformation("PADT sent to LAN client {Client} for session {Session} ({Why})", session.ClientMac, session.SessionId, why);
        }
        return ended;
    }

    private protected override ProxyStatus Describe(TunnelCountersSnapshot totals)
    {
        var link = _link;
        var peers = link is null ? new List<PeerStatus>() : new List<PeerStatus>
        {
            new(link.Id, link.PeerName, link.PeerFingerprint, link.ConnectedAt, link.IsOpen, link.Counters.Snapshot(), Array.Empty<string>()),
        };
        return new ProxyStatus(Role, Interface, Endpoint, SecurityText(_options.Mode, _options.Security,
            _options.Transport == TunnelTransportKind.Udp ? "DTLS 1.2 over UDP, pinned server certificate" : "TLS 1.3, pinned server certificate")
            + (_options.Transport == TunnelTransportKind.Udp && _options.Security is null ? " over UDP" : ""),
            "transparent", peers, _tracker.Snapshot(), totals, Array.Empty<string>());
    }

    /// <summary>PADT both ways (AC through the tunnel, LAN client locally), then goodbye.</summary>
    private protected override void OnStopping()
    {
        var link = _link ?? _stopLink;
        foreach (var session in LiveSessions())
        {
            if (link is { IsOpen: true })
            {
                var toAc = PadtForge.Padt(session.ClientMac, session.ServerMac, (ushort)session.SessionId, session.VlanTags, "pppoeproxy: client stopping");
                if (link.TrySendFrame(toAc.ToBytes(), EtherTypes.PppoeDiscovery))
                    Log.LogInformation("PADT sent to AC {Ac} for session {Session} (client stopping)", session.ServerMac, session.SessionId);
            }
        }
        TellLanSessionsEnded("client stopping");
        link?.Close("client stopping", goodbye: "client stopping", flushTimeout: TimeSpan.FromSeconds(1));
    }
}
