using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Guard;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel.Limits;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// The proxy server: accepts tunnels, injects their frames toward the AC and sends the AC's answers
/// back to the one tunnel that owns the client. One thread reads the AC side; each tunnel has a
/// reader and a writer thread. A graceful stop sends PADTs both ways and never hangs.
/// </summary>
public sealed class ProxyServer : ProxyEnd, IGuardActions
{
    private readonly ServerOptions _options;
    private readonly ConcurrentDictionary<long, TunnelLink> _links = new();
    private readonly byte[] _acScratch = new byte[FrameView.EthernetHeaderLength + 65535]; // the capture thread's own
    private readonly ConnectionLimiter _limits;
    private readonly LingeringCloser _refused = new();
    private ServerRouter? _router;
    private SessionSweeper? _sessionSweeper;
    private long _lastMacSweepTicks = Environment.TickCount64;
    private readonly RefusalCounters _refusals = new();
    private Socket? _listener;
    private Datagram.UdpTunnelListener? _udp;

    public ProxyServer(ServerOptions options, ILogger logger) : base("server", options, logger)
    {
        _options = options;
        _limits = new ConnectionLimiter(options.MaxHandshakes, options.MaxHandshakesPerSource, options.MaxTunnels, options.MaxTunnelsPerSource);
    }

    public override string Endpoint => LocalEndpoint?.ToString() ?? _options.Listen.ToString();

    /// <summary>The endpoint actually bound (port 0 in the options picks a free one).</summary>
    public IPEndPoint? LocalEndpoint { get; private set; }

    // Transparent mode must hear frames addressed to the remote clients' MACs.
    private protected override CaptureOptions CaptureOptionsFor() =>
        CaptureOptions.ForRelay(_options.Interface, promiscuous: _options.MacMode == MacMode.Transparent);

    private protected override void OnStarting()
    {
        var macBytes = NetworkInterfaces.GetMacBytes(_options.Interface);
        _router = new ServerRouter(_options.MacMode, macBytes is null ? default : MacAddress.Read(macBytes), _options.Interface,
            new SessionTracker(maxSessions: _options.MaxTrackedSessions), Log, EndCounters, LimitedLog)
        {
            MaxSessionsPerTunnel = _options.MaxSessionsPerTunnel,
            Budget = _options.MaxSessions is int max ? new SessionBudget(max) : null,
            DeferOwnSessionsToGuard = _options.GhostGuard.Enabled,
        };
        if (_options.Transport == TunnelTransportKind.Udp)
        {
            _udp = new Datagram.UdpTunnelListener(_options.Listen, _options.Security, _options.Allow, _limits, _options.HandshakeTimeout,
                Log, LimitedLog, _refusals, (link, address) => Register(link, address, _stopToken));
            LocalEndpoint = _udp.LocalEndpoint;
        }
        else
        {
            _listener = new Socket(_options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (_options.Listen.Address.Equals(IPAddress.IPv6Any)) _listener.DualMode = true;
            _listener.Bind(_options.Listen);
            _listener.Listen(64);
            // Kept: the socket is gone after Stop, but status and stats still name it.
            LocalEndpoint = (IPEndPoint?)_listener.LocalEndPoint;
        }
        _sessionSweeper = new SessionSweeper(_router.Tracker, LimitedLog, _options.MaxSessionsPerTunnel);
        Guard = new GhostGuard(_router.Tracker, _options.GhostGuard, this, Log, LimitedLog);
    }

    private protected override void OnStarted()
    {
        Log.LogInformation("server listening on {Endpoint} ({Security}), interface {Interface} in {MacMode} mode, allow {Allow}",
            LocalEndpoint, Security, _options.Interface, _options.MacMode.ToString().ToLowerInvariant(), _options.Allow);
        if (_options.Security is null)
            Log.LogWarning("the tunnel is NOT encrypted: PPP credentials cross it in clear text");
        // The admin's only sign at start that the budget took; not worded "session budget ...", the refusal line others count.
        if (_router?.Budget is { } budget)
            Log.LogInformation("at most {Max} session(s) at the AC through all tunnels, discoveries included (--max-sessions)", budget.Max);
    }

    private string Security => SecurityText(_options.Mode, _options.Security,
        $"{(_options.Transport == TunnelTransportKind.Udp ? "DTLS 1.2 over UDP" : "TLS 1.3")}, {_options.Security?.TrustedFingerprints.Count} pinned client certificate(s)")
        + (_options.Transport == TunnelTransportKind.Udp && _options.Security is null ? " over UDP" : "");

    private CancellationToken _stopToken;

    private protected override async Task ServeAsync(CancellationToken stop)
    {
        _stopToken = stop;
        _udp?.Start();
        var accepting = _udp is null ? AcceptLoopAsync(stop) : Task.CompletedTask;
        while (!stop.IsCancellationRequested)
        {
            await PauseAsync(TimeSpan.FromMilliseconds(250), stop);
            ExpireHolds();
            _refused.CloseDue();
            CloseIdleLinks();
            _sessionSweeper!.Sweep(_links.Values);
            _router!.SweepBudget();
            if (Environment.TickCount64 - _lastMacSweepTicks >= 5000)
            {
                _lastMacSweepTicks = Environment.TickCount64;
                _router!.ForgetUnusedMacs();
            }
            LogStatsWhenDue();
        }
        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _refused.CloseDue(all: true);
    }

    private async Task AcceptLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener!.AcceptAsync(stop); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            var remote = (IPEndPoint)socket.RemoteEndPoint!;
            // Each handshake holds a thread of its own until it ends (at most HandshakeTimeout): a flood of
            // silent connections must not become a flood of threads, nor one source take every slot.
            var verdict = _limits.TryBeginHandshake(remote.Address);
            if (verdict != AdmissionVerdict.Admitted)
            {
                Refuse(socket, remote, verdict);
                continue;
            }
            _ = Task.Run(() => HandleAsync(socket, remote, stop));
        }
    }

    /// <summary>
    /// A connection refused before its handshake. Plain v1 gets the Busy reply at once (no need to read
    /// the hello first); TLS cannot say anything before a TLS handshake, which a flood must not cost us,
    /// so it is closed (the client's message names "busy" as one possible cause); legacy has no status.
    /// </summary>
    private void Refuse(Socket socket, IPEndPoint remote, AdmissionVerdict verdict)
    {
        string why = _limits.Describe(verdict);
        _refusals.Count(CauseOf(verdict));
        LimitedLog.Warning(CauseOf(verdict), "refused {Peer}: {Why}", remote, why);
        if (_options.Mode == TunnelMode.V1 && _options.Security is null)
        {
            Span<byte> reply = stackalloc byte[WireHandshake.MaxReplySize];
            _refused.SendAndClose(socket, reply[..TunnelHandshake.WriteBusy(reply, why)]);
        }
        else socket.Dispose();
    }

    private static string CauseOf(AdmissionVerdict verdict) => ProxyLimitCauses.Of(verdict);

    private async Task HandleAsync(Socket socket, IPEndPoint remote, CancellationToken stop)
    {
        TunnelLink link;
        bool admitted = false, handshakeEnded = false;
        var refusedBy = AdmissionVerdict.Admitted;
        void EndHandshake()
        {
            if (handshakeEnded) return;
            handshakeEnded = true;
            _limits.EndHandshake(remote.Address);
        }
        // Asked by the handshake once the peer is known good: takes a tunnel slot or says why not. The
        // handshake slot goes first, before the client hears the verdict and may connect again.
        string? Admit()
        {
            EndHandshake();
            refusedBy = _limits.TryAddTunnel(remote.Address);
            admitted = refusedBy == AdmissionVerdict.Admitted;
            return admitted ? null : _limits.Describe(refusedBy);
        }
        try
        {
            link = await TunnelHandshake.AcceptAsync(socket, _options.Mode, _options.Mode == TunnelMode.V1 ? _options.Security : null,
                _options.Allow, Log, _options.HandshakeTimeout, stop, Admit);
        }
        catch (Exception error) when (error is TunnelHandshakeException or OperationCanceledException)
        {
            if (admitted) _limits.RemoveTunnel(remote.Address); // admitted, then the accept reply failed
            if (error is TunnelHandshakeException rejected)
            {
                var cause = refusedBy == AdmissionVerdict.Admitted ? rejected.Cause : CauseOf(refusedBy);
                _refusals.Count(cause);
                LimitedLog.Warning(cause, "{Reason}", rejected.Message);
            }
            return;
        }
        finally { EndHandshake(); }
        Register(link, remote.Address, stop);
    }

    /// <summary>A tunnel through its handshake and admitted (TCP or UDP): routed from now on.</summary>
    private void Register(TunnelLink link, IPAddress source, CancellationToken stop)
    {
        LogTunnelEvent(link, "tunnel-connected", "tunnel connected: {Peer}{Identity}", link.PeerName,
            link.PeerFingerprint is null ? " (plain text, not authenticated)" : $", authenticated by pinned certificate {link.PeerFingerprint}");
        _links[link.Id] = link;
        link.Closed += (closed, _) => _limits.RemoveTunnel(source);
        link.Closed += OnLinkClosed;
        link.ClaimsHandler = OnClaims;
        // Rewrite mode edits each frame into a scratch buffer of the reader thread's own.
        Attach(link, FromTunnel, _options.MacMode == MacMode.Rewrite ? FrameView.EthernetHeaderLength + 65535 : ClampScratchBytes);
        foreach (var mac in _router!.Owners.AdoptByIdentity(link))
            Log.LogInformation("tunnel {Peer} resumed the held sessions of {Mac} (same certificate)", link.PeerName, mac);
        if (stop.IsCancellationRequested) link.Close("server stopping");
    }

    // A reconnected client says what it carries: adopted at once, so the AC's frames flow again (issue 12, defect 6).
    private void OnClaims(TunnelLink link, ReadOnlySpan<byte> payload)
    {
        var (macs, sessions, refused) = _router!.ApplyClaims(link, payload, DateTimeOffset.UtcNow, ended =>
        {
            // Already hung up at the AC (a hold expired): the client's LAN must hear it too.
            var padt = PadtForge.Padt(ended.Ac, ended.Client, ended.SessionId, ended.VlanTags, "pppoeproxy: session ended while the tunnel was down");
            link.TrySendFrame(padt.ToBytes(), EtherTypes.PppoeDiscovery);
        });
        LimitedLog.Information("claims", "tunnel {Peer} claims {Macs} client MAC(s) with {Sessions} live session(s); {Refused} refused",
            link.PeerName, macs, sessions, refused);
    }

    /// <summary>
    /// Authenticated tunnels are logged line by line (only holders of a pinned certificate can make them);
    /// unauthenticated ones (plain text, legacy) could be churned by anyone, so at most one line per second.
    /// </summary>
    private void LogTunnelEvent(TunnelLink link, string cause, string message, params object?[] args)
    {
        if (link.PeerFingerprint is not null) Log.LogInformation(message, args);
        else LimitedLog.Information(cause, message, args);
    }

    private bool FromTunnel(TunnelLink link, ReadOnlySpan<byte> frame, Span<byte> scratch, out ReadOnlySpan<byte> toInject)
    {
        var view = FrameView.Parse(frame);
        var now = DateTimeOffset.UtcNow;
        int length = _router!.RouteFromTunnel(link, view, now, scratch, out bool inScratch, out bool overBudget);
        toInject = inScratch && length >= 0 ? scratch[..length] : frame;
        if (length < 0) return false;
        // The budget is full, but the client's own session may be the ghost of its restart: only the guard may
        // make room (it ends the ghost, then the held frame asks the budget again); otherwise it is refused.
        if (overBudget && Guard!.OnDiscovery(view, canHold: true, toInject) != GuardVerdict.Held)
        {
            _router.RefuseOverBudget(link, view);
            return false;
        }
        Tap?.Invoke(view, now, TapDirection.FromTunnel);
        if (overBudget) return false; // held
        // A client restarting discovery may have left a ghost at the AC: the guard holds the frame until it knows.
        if (view.IsDiscovery) return Guard!.OnDiscovery(view, canHold: true, toInject) != GuardVerdict.Held;
        // Rewrite mode changed only MACs of a session frame: view's offsets hold for toInject, already in scratch.
        int clamped = MssClamp.Clamp(view, toInject, scratch, _router.Tracker);
        if (clamped >= 0) toInject = scratch[..clamped];
        return true;
    }

    // The ghost guard's sends, on the capture thread (each tunnel's one producer).
    string? IGuardActions.SendTowardAc(ReadOnlySpan<byte> frame)
    {
        var view = FrameView.Parse(frame);
        bool padt = view.IsDiscovery && view.Code == (byte)PppoeCode.PADT;
        string? error;
        if (_options.MacMode != MacMode.Rewrite) error = TryInject(frame);
        else
        {
            // The AC knows a rewritten client by our MAC, as it knew the session's own frames.
            var rewritten = frame.ToArray();
            FrameEditing.SetSource(rewritten, _router!.InterfaceMac);
            if (padt) _router.ForgetRelayed(view.Destination, view.SessionId);
            error = TryInject(rewritten);
        }
        if (padt && error is null) _router!.SentPadt(view); // the ghost's budget slot is free at once
        return error;
    }

    string? IGuardActions.SendTowardClient(ReadOnlySpan<byte> frame)
    {
        var client = FrameView.Parse(frame).Destination;
        var link = _router!.Owners.LinkFor(client, out _);
        if (link is null) return $"no tunnel carries {client} now";
        return link.TrySendFrame(frame, EtherTypes.PppoeSession) ? null : "the tunnel refused it (queue full)";
    }

    void IGuardActions.Release(ReadOnlySpan<byte> heldDiscovery)
    {
        if (!_router!.AdmitReleased(heldDiscovery)) return; // over the session budget still (counted, logged)
        if (TryInject(heldDiscovery) is { } error) LimitedLog.Warning("guard-release-failed", "held discovery frame not sent: {Error}", error);
    }

    private protected override void OnCaptured(ReadOnlySpan<byte> frame, DateTimeOffset time)
    {
        var link = _router!.RouteFromAc(frame, time, _acScratch, out var routed);
        if (link is null) return;
        Tap?.Invoke(routed, time, TapDirection.FromAc);
        int clamped = MssClamp.Clamp(routed, routed.Bytes, _acScratch, _router.Tracker);
        link.TrySendFrame(clamped < 0 ? routed.Bytes : _acScratch.AsSpan(0, clamped), routed.EtherType); // a refused frame is counted by the link
    }

    private void OnLinkClosed(TunnelLink link, string reason)
    {
        _links.TryRemove(link.Id, out _);
        LogTunnelEvent(link, "tunnel-disconnected", "tunnel disconnected: {Peer}: {Reason}", link.PeerName, reason);
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
        // Only a session the AC was heard on through us: a claim or a guessed session id must never make us
        // hang up another host's session (a hostile client could name any MAC and id, then vanish).
        if (!ServerRouter.AcHeardOn(session))
        {
            LimitedLog.Warning("padt-unconfirmed", "no PADT for session {Session} of {Client}: the AC was never heard on it through this server",
                session.SessionId, session.ClientMac);
            _router!.Ended(session);
            return;
        }
        if (!ServerRouter.CanForgePadt(session))
        {
            Log.LogError("no PADT for session {Session}: {Client} -> {Ac} is not a sane pair of MACs", session.SessionId, session.ClientMac, session.ServerMac);
            _router!.Ended(session);
            return;
        }
        var request = _router!.PadtTowardAc(session, $"pppoeproxy: {why}");
        foreach (var frame in PadtForge.Build(request))
        {
            if (TryInject(frame.ToBytes()) is { } error)
            {
                Log.LogError("PADT for session {Session} not sent: {Error}", session.SessionId, error);
                return;
            }
        }
        _router.Ended(session);
        Log.LogInformation("PADT sent to AC {Ac} for session {Session} of {Client} ({Why})", session.ServerMac, session.SessionId, session.ClientMac, why);
    }

    private void CloseIdleLinks()
    {
        foreach (var link in _links.Values)
            if (link.SinceLastReceived > _options.IdleTimeout)
                link.Close($"no traffic or keepalive for {_options.IdleTimeout.TotalSeconds:0} s", goodbye: "idle timeout");
    }

    private protected override ProxyStatus Describe(TunnelCountersSnapshot totals)
    {
        var router = _router;
        var owners = router?.Owners.Snapshot() ?? Array.Empty<(MacAddress, MacOwnership.Owner)>();
        var peers = _links.Values.Select(l => new PeerStatus(l.Id, l.PeerName, l.PeerFingerprint, l.ConnectedAt, l.IsOpen,
            l.Counters.Snapshot(), owners.Where(o => ReferenceEquals(o.Item2.CurrentLink, l)).Select(o => o.Item1.ToString()).ToList())).ToList();
        var sessions = router?.Tracker.Snapshot() ?? Array.Empty<PppoeSession>();
        return new ProxyStatus(Role, Interface, Endpoint, Security, _options.MacMode.ToString().ToLowerInvariant(), peers, sessions,
            totals, owners.Where(o => o.Item2.IsHeld).Select(o => o.Item1.ToString()).ToList()) { Refusals = _refusals.Snapshot(), SessionBudget = router?.Budget?.Status() };
    }

    private protected override void OnStopRequested()
    {
        try { _listener?.Dispose(); } catch (SocketException) { }
        _udp?.StopAccepting();
    }

    /// <summary>PADT both ways for every tunnelled session, goodbye to every tunnel.</summary>
    private protected override void OnStopping()
    {
        foreach (var (mac, owner) in _router!.Owners.Snapshot())
        {
            foreach (var session in _router.LiveSessionsOf(mac))
            {
                // Tell the client's LAN through its tunnel (forged from the AC), then the AC.
                if (owner.CurrentLink is { IsOpen: true } link && ServerRouter.CanForgePadt(session))
                {
                    var toClient = PadtForge.Padt(session.ServerMac, session.ClientMac, (ushort)session.SessionId, session.VlanTags, "pppoeproxy: server stopping");
                    link.TrySendFrame(toClient.ToBytes(), EtherTypes.PppoeDiscovery);
                }
                SendPadtToAc(session, "server stopping");
            }
        }
        Parallel.ForEach(_links.Values, link => link.Close("server stopping", goodbye: "server stopping", flushTimeout: TimeSpan.FromSeconds(1)));
        _udp?.Dispose(); // the tunnels' shared socket: only after their goodbyes
    }
}
