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
    private readonly GhostGuard _guard;
    private SessionSweeper? _sweeper;

    public GuardWatcher(GuardWatcherOptions options, ILogger logger) : base("guard", options, logger)
    {
        _options = options;
        // This host's MACs are a session's client when the watcher runs on the client's own host.
        var localMacs = NetworkInterfaces.LocalMacs();
        _tracker = new SessionTracker(localMacs.Contains, options.MaxTrackedSessions);
        _guard = new GhostGuard(_tracker, new GhostGuardOptions { DryRun = options.DryRun }, this, logger, LimitedLog);
    }

    public bool DryRun => _options.DryRun;
    public override string Endpoint => _options.DryRun ? "dry run" : "watching";
    public GhostGuardStats GuardStats => _guard.Stats;

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
        Tap?.Invoke(view, time, TapDirection.FromLan);
        if (view.EtherType == EtherTypes.PppoeDiscovery && view.Code is (byte)PppoeCode.PADI or (byte)PppoeCode.PADR)
            _guard.OnDiscovery(view, time, canHold: false); // not in the path: the frame has gone on already
    }

    private protected override void OnCaptureTurn() => _guard.Poll(DateTimeOffset.UtcNow);

    private protected override async Task ServeAsync(CancellationToken stop)
    {
        Log.LogInformation("guard on {Interface}{DryRun}: watching for PPPoE clients that restart discovery while the AC keeps their old session",
            _options.Interface, _options.DryRun ? " (dry run: sends nothing)" : "");
        while (!stop.IsCancellationRequested)
        {
            await PauseAsync(TimeSpan.FromMilliseconds(250), stop);
            (_sweeper ??= new SessionSweeper(_tracker, LimitedLog, perTunnelLimit: null)).Sweep(Array.Empty<TunnelLink>());
            LogStatsWhenDue();
        }
    }

    // The sessions are the client's and the AC's, not ours: a watcher that stops ends nothing.
    private protected override void OnStopping() { }

    private protected override ProxyStatus Describe(TunnelCountersSnapshot totals) =>
        new(Role, Interface, Endpoint, "none (a watcher: no tunnel)", "-", Array.Empty<PeerStatus>(), _tracker.Snapshot(), totals,
            Array.Empty<string>()) { Guard = _guard.Stats };

    string? IGuardActions.SendTowardAc(ReadOnlySpan<byte> frame) => Send(frame);

    string? IGuardActions.SendTowardClient(ReadOnlySpan<byte> frame) => Send(frame);

    // canHold is always false here: nothing is ever held, so nothing is released.
    void IGuardActions.Release(ReadOnlySpan<byte> heldDiscovery) { }

    // The guard already says "would" in a dry run; refusing here too means no code path can send.
    private string? Send(ReadOnlySpan<byte> frame) => _options.DryRun ? "dry run: not sent" : TryInject(frame);
}
