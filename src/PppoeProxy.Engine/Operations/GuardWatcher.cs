using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Guard;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Engine.Operations;

/// <summary>
/// The standalone ghost-session watcher (`pppoeproxy guard`, Start-PppoeGuard): not in the path of
/// any frame, it listens on a segment where a PPPoE client lives, learns sessions from the traffic,
/// and lets <see cref="GhostGuard"/> end a session the client abandoned when the client starts
/// discovery again. Everything it sends is injected on the same interface: where that reaches the AC
/// and the client (a bridge, the client's own link) is the deployment's business (docs/ghost-sessions.md).
/// Built on <see cref="ProxyEnd"/> for the capture thread, stats, status socket and jobs; it has no tunnel.
/// </summary>
public sealed class GuardWatcher : ProxyEnd, IGuardActions
{
    private readonly GuardWatcherOptions _options;
    private readonly SessionTracker _tracker;
    private readonly IReadOnlySet<MacAddress> _localMacs;
    private readonly GhostGuard _guard;
    private readonly PadiResend _padiResend = new();
    // AC MACs heard offering (PADO/PADS), capture thread only: the direction tapped frames are shown with.
    private readonly HashSet<ulong> _acMacs = new();
    private SessionSweeper? _sweeper;

    public GuardWatcher(GuardWatcherOptions options, ILogger logger) : base("guard", options, logger)
    {
        _options = options;
        // This host's MACs are a session's client when the watcher runs on the client's own host.
        _localMacs = NetworkInterfaces.LocalMacs();
        _tracker = new SessionTracker(_localMacs.Contains, options.MaxTrackedSessions);
        _guard = new GhostGuard(_tracker, new GhostGuardOptions { DryRun = options.DryRun }, this, logger, LimitedLog);
        Guard = _guard; // ProxyEnd polls it on the capture thread, the one that calls OnDiscovery and sends
    }

    public bool DryRun => _options.DryRun;
    public override string Endpoint => _options.DryRun ? "dry run" : "watching";

    // Both directions: on the client's own host its frames are outgoing. What we inject ourselves
    // never comes back: the kernel does not loop a packet socket's frames to that same socket.
    private protected override CaptureOptions CaptureOptionsFor() =>
        CaptureOptions.ForRelay(_options.Interface, promiscuous: true) with { Direction = CaptureDirection.Both };

    private protected override void OnCaptured(ReadOnlySpan<byte> frame, DateTimeOffset time)
    {
        var view = FrameView.Parse(frame);
        if (!view.IsPppoe) return;
        if (!view.IsValid)
        {
            EndCounters.Drop(DropReason.Malformed);
            return;
        }
        // Nobody tells a watcher which side sent a frame: the tracker learns roles from discovery and echoes.
        _tracker.Observe(view, time, _options.Interface, FrameDirection.Unknown);
        if (view.EtherType == EtherTypes.PppoeDiscovery && view.Code is (byte)PppoeCode.PADO or (byte)PppoeCode.PADS && _acMacs.Count < 64)
            _acMacs.Add(view.Source.Value);
        if (Tap is { } tap) tap(view, time, _acMacs.Contains(view.Source.Value) ? TapDirection.FromAc : TapDirection.FromLan);
        if (view.EtherType != EtherTypes.PppoeDiscovery) return;
        if (view.Code is (byte)PppoeCode.PADI or (byte)PppoeCode.PADR)
            _guard.OnDiscovery(view, canHold: false); // not in the path: the frame has gone on already
        else if (view.Code == (byte)PppoeCode.PADO)
            _padiResend.Answered(view.Destination);
    }

    private protected override async Task ServeAsync(CancellationToken stop)
    {
        Log.LogInformation("guard on {Interface}{DryRun}: watching for PPPoE clients that restart discovery while the AC keeps their old session",
            _options.Interface, _options.DryRun ? " (dry run: sends no PADT, says what it would)" : "");
        long lastSweep = 0;
        while (!stop.IsCancellationRequested)
        {
            // 50 ms: the re-sent PADIs' timing; the rest runs every 250 ms like the proxy ends'.
            await PauseAsync(TimeSpan.FromMilliseconds(50), stop);
            _padiResend.SendDue(Environment.TickCount64, frame => TryInject(frame),
                (client, error) => LimitedLog.Warning("guard-padi-failed", "ghost guard: PADI of {Client} not sent again: {Error}", client, error));
            if (Environment.TickCount64 - lastSweep < 250) continue;
            lastSweep = Environment.TickCount64;
            (_sweeper ??= new SessionSweeper(_tracker, LimitedLog, perTunnelLimit: null)).Sweep(Array.Empty<TunnelLink>());
            LogStatsWhenDue();
        }
    }

    // The sessions are the client's and the AC's, not ours: a watcher that stops ends nothing.
    private protected override void OnStopping() { }

    private protected override ProxyStatus Describe(TunnelCountersSnapshot totals) =>
        new(Role, Interface, Endpoint, "none (a watcher: no tunnel)", "-", Array.Empty<PeerStatus>(), _tracker.Snapshot(), totals,
            Array.Empty<string>());

    /// <summary>
    /// The guard sends no PADT and no PADI in a dry run; refusing here too means no path toward the AC can.
    /// </summary>
    string? IGuardActions.SendTowardAc(ReadOnlySpan<byte> frame)
    {
        if (_options.DryRun) return "dry run: not sent";
        var view = FrameView.Parse(frame);
        // The guard re-sends the client's PADI right after the PADT: later, see PadiResend.
        if (view.Code == (byte)PppoeCode.PADI)
            return _padiResend.Add(frame, view.Source, Environment.TickCount64) ? null : "too many PADIs waiting to be re-sent";
        return TryInject(frame);
    }

    /// <summary>
    /// The probe goes out in a dry run too (an LCP echo a live client just answers): without it the dry
    /// run's verdicts would not be the real ones. A client on this host never sees what we inject on its
    /// own interface (it leaves the host), so its probe is not sent, and the guard then sends no PADT on silence alone.
    /// </summary>
    string? IGuardActions.SendTowardClient(ReadOnlySpan<byte> frame)
    {
        var client = FrameView.Parse(frame).Destination;
        if (_localMacs.Contains(client)) return $"client {client} is this host: a probe sent on {Interface} cannot reach it";
        return TryInject(frame);
    }

    // canHold is always false here: nothing is ever held, so nothing is released.
    void IGuardActions.Release(ReadOnlySpan<byte> heldDiscovery) { }
}
