using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// The server's forwarding decisions, without sockets or threads: which tunnel an AC frame goes to,
/// whether a tunnel may send a frame, and what rewrite mode changes. Frames are never shared
/// between tunnels: a frame goes to the one tunnel owning its client MAC, or nowhere (counted).
/// </summary>
public sealed partial class ServerRouter
{
    private readonly ConcurrentDictionary<(ulong Ac, ushort Session), ulong> _relayedSessions = new();
    private readonly ConcurrentDictionary<long, int> _claimsByLink = new();
    private readonly ILogger _log;
    private readonly RateLimitedLog _limitedLog;

    /// <param name="counters">Where drops that belong to no tunnel are counted (the end's own counters).</param>
    /// <param name="limitedLog">For lines a peer can cause (refused MACs); by default one of its own over <paramref name="logger"/>.</param>
    public ServerRouter(MacMode mode, MacAddress interfaceMac, string interfaceName, SessionTracker tracker, ILogger logger,
        TunnelCounters? counters = null, RateLimitedLog? limitedLog = null)
    {
        Counters = counters ?? new TunnelCounters();
        Owners = new MacOwnership(interfaceMac);
        _limitedLog = limitedLog ?? new RateLimitedLog(logger);
        Mode = mode;
        InterfaceMac = interfaceMac;
        InterfaceName = interfaceName;
        Tracker = tracker;
        _log = logger;
    }

    public MacMode Mode { get; }
    public MacAddress InterfaceMac { get; }
    public string InterfaceName { get; }
    public SessionTracker Tracker { get; }
    public MacOwnership Owners { get; }

    /// <summary>Session claims a tunnel may make over its life: more would only grow the tracker.</summary>
    public const int MaxClaimsPerTunnel = 4096;
    /// <summary>Drops that belong to no tunnel (unknown destination, held sessions, not relayed).</summary>
    public TunnelCounters Counters { get; }
    /// <summary>Live sessions and discoveries one tunnel may open (see <see cref="ServerOptions.MaxSessionsPerTunnel"/>).</summary>
    public int MaxSessionsPerTunnel { get; init; } = int.MaxValue;

    /// <summary>
    /// A frame captured from the AC, parsed here once. Returns the tunnel to send it to and, in
    /// <paramref name="routed"/>, the view of the bytes to send (the capture's, or <paramref name="scratch"/>
    /// in rewrite mode) for the tap; null when it is dropped (and counted).
    /// </summary>
    public TunnelLink? RouteFromAc(ReadOnlySpan<byte> captured, DateTimeOffset time, Span<byte> scratch, out FrameView routed)
    {
        routed = FrameView.Parse(captured);
        // Every parse error is a counted drop: a frame no peer can act on is never relayed.
        if (!routed.IsValid) return Drop(DropReason.Malformed);
        // The capture hears only inbound frames: a discovery request, or a frame to a known AC, comes from a
        // PPPoE client on the AC side (the home router's own). Its MAC is no tunnel's, nor are its sessions.
        if (routed.IsDiscovery ? routed.Code is (byte)PppoeCode.PADI or (byte)PppoeCode.PADR : Owners.IsAc(routed.Destination))
        {
            if (Owners.MarkAcSideClient(routed.Source) is { } claimer)
                _limitedLog.Warning("mac-is-local", "tunnel {Peer} had claimed {Mac}, a PPPoE client on the AC side: revoked", claimer.PeerName, routed.Source);
            return Drop(DropReason.UnknownDestination);
        }
        if (Mode == MacMode.Rewrite)
        {
            var asCaptured = routed;
            if (!TryRestoreClient(asCaptured, scratch, out routed)) return null;
        }
        // Heard on the AC side: whoever offers or confirms sessions is an AC, never a client behind a tunnel.
        if (routed.IsDiscovery && routed.Code is (byte)PppoeCode.PADO or (byte)PppoeCode.PADS && Owners.MarkAc(routed.Source) is { } squatter)
            _limitedLog.Warning("mac-is-ac", "tunnel {Peer} had claimed {Mac}, which is an AC's: revoked", squatter.PeerName, routed.Source);
        var link = Owners.LinkFor(routed.Destination, out bool held);
        if (link is null) return Drop(held ? DropReason.HeldSession : DropReason.UnknownDestination);
        // Only tunnelled sessions are ours to track: other hosts' sessions on the line (the home
        // router's own, say) must never get a PADT from us. The direction is known: from the AC. The AC is
        // not refused: its answers count toward the tunnel's sessions, whose own frames are what the limit refuses.
        Tracker.TryObserve(routed, time, InterfaceName, FrameDirection.FromAc, link.Id, int.MaxValue);
        BudgetSees(routed, fromAc: true);
        if (routed.IsDiscovery)
        {
            if (routed.Code == (byte)PppoeCode.PADS && routed.SessionId != 0) Owners.MarkSession(routed.Destination);
            LogDiscovery(routed, null);
        }
        return link;
    }

    /// <summary>
    /// A frame a tunnel sent. Returns the bytes to inject toward the AC (the original or
    /// <paramref name="scratch"/>), or -1 when it is dropped (counted on the link).
    /// <paramref name="overBudget"/>: a PADI or PADR routed although the session budget is full, because
    /// its client holds a session of its own that the ghost guard may end (<see cref="DeferOwnSessionsToGuard"/>).
    /// The caller holds it for the guard, or refuses it with <see cref="RefuseOverBudget"/>.
    /// </summary>
    public int RouteFromTunnel(TunnelLink link, in FrameView frame, DateTimeOffset time, Span<byte> scratch, out bool inScratch, out bool overBudget)
    {
        inScratch = false;
        overBudget = false;
        if (!frame.IsValid) return DropOn(link, DropReason.Malformed);
        bool isPadi = frame.IsDiscovery && frame.Code == (byte)PppoeCode.PADI;
        if ((frame.Destination.IsGroup || frame.Destination.Value == 0) && !isPadi)
            return DropOn(link, DropReason.Malformed);
        // No client sends to itself: this is a tunnel posing as the AC before the AC has spoken (its MAC is
        // not yet known as an AC's), which would make the AC's MAC a "client" owned by that tunnel.
        if (frame.Source == frame.Destination)
        {
            Accepted(link, frame.Source, ClaimResult.ForbiddenSource, null, "frames");
            return -1;
        }
        bool discovery = isPadi || (frame.IsDiscovery && frame.Code == (byte)PppoeCode.PADR);
        var claim = Owners.Claim(link, frame.Source, discovery, out var holder);
        if (claim != ClaimResult.Owned && !Accepted(link, frame.Source, claim, holder, "frames")) return -1;
        if (Mode == MacMode.Rewrite && frame.IsSessionStage
            && (!_relayedSessions.TryGetValue((frame.Destination.Value, frame.SessionId), out var owner) || owner != frame.Source.Value))
            return DropOn(link, DropReason.SpoofedSource);
        // A PADT for a session this server never carried is still forwarded: the client may end a session the server
        // lost in a restart (its PADT for a session that ended while the tunnel was down), and the AC only ends that
        // client's own session. Rewrite mode is the exception: the AC hears it from our MAC, so an id that maps to
        // another client is that client's session, not this one's to end.
        bool padt = frame.IsDiscovery && frame.Code == (byte)PppoeCode.PADT;
        if (padt && Mode == MacMode.Rewrite && _relayedSessions.TryGetValue((frame.Destination.Value, frame.SessionId), out var mapped)
            && mapped != frame.Source.Value)
            return DropOn(link, DropReason.SpoofedSource);
        bool unknownPadt = padt && !Tracker.Knows(frame);
        bool reserved = false;
        if (discovery && !AdmitToBudget(link, frame, isPadi, out reserved, out overBudget)) return -1;
        // A tunnel at its session limit (or a full table) opens nothing more: no PADI, PADR or unknown session.
        if (!Tracker.TryObserve(frame, time, InterfaceName, FrameDirection.FromClient, link.Id, MaxSessionsPerTunnel))
        {
            if (reserved) UnreserveBudget(frame);
            return DropOn(link, DropReason.SessionLimit);
        }
        BudgetSees(frame, fromAc: false);
        if (unknownPadt) LogUnknownPadt(frame, link);
        else if (frame.IsDiscovery) LogDiscovery(frame, link);
        if (Mode == MacMode.Transparent) return frame.Bytes.Length;

        inScratch = true;
        int length;
        if (frame.IsDiscovery && frame.Code is (byte)PppoeCode.PADI or (byte)PppoeCode.PADR)
        {
            // As rp-pppoe's relay: a second Relay-Session-Id would make the AC's answer unroutable.
            if (TagEnumerator.TryFind(frame.Payload, (ushort)PppoeTagType.RelaySessionId, out _))
            {
                WarnAlreadyRelayed(link, frame);
                if (reserved) UnreserveBudget(frame);
                return DropOn(link, DropReason.AlreadyRelayed);
            }
            Span<byte> tag = stackalloc byte[RelayTagLength];
            RelayMarker.CopyTo(tag);
            frame.Source.Write(tag[2..]);
            length = FrameEditing.AppendTag(frame, scratch, (ushort)PppoeTagType.RelaySessionId, tag);
            if (length < 0)
            {
                if (reserved) UnreserveBudget(frame); // not forwarded: its new slot must not wait out the discovery timeout
                return DropOn(link, DropReason.Malformed);
            }
        }
        else
        {
            length = frame.Bytes.Length;
            frame.Bytes.CopyTo(scratch);
            if (frame.IsDiscovery && frame.Code == (byte)PppoeCode.PADT)
                _relayedSessions.TryRemove((frame.Destination.Value, frame.SessionId), out _);
        }
        FrameEditing.SetSource(scratch, InterfaceMac);
        return length;
    }

    /// <summary>
    /// True when a forged PADT for this session would be a sane frame: both MACs unicast and
    /// non-zero, and different. Sessions never pass here unless roles went wrong; the check keeps a
    /// bug from ever becoming a PADT to a multicast group or from the AC's own MAC.
    /// </summary>
    public static bool CanForgePadt(PppoeSession session) =>
        !session.ClientMac.IsGroup && session.ClientMac.Value != 0 && !session.ServerMac.IsGroup && session.ServerMac.Value != 0
        && session.ClientMac != session.ServerMac && session.SessionId is > 0 and < 0xFFFF;

    private const int MaxHeldMacsLogged = 4;

    /// <summary>A tunnel dropped: its MACs with live sessions are held for the grace period.</summary>
    public void OnLinkClosed(TunnelLink link, TimeSpan grace)
    {
        _claimsByLink.TryRemove(link.Id, out _);
        var held = Owners.Release(link, mac => LiveSessionsOf(mac).Count > 0, grace);
        if (held.Count == 0) return;
        // One line per drop, rate-limited: a client claiming 64 sessions and closing, again and again, would flood the log.
        string macs = string.Join(", ", held.Take(MaxHeldMacsLogged)) + (held.Count > MaxHeldMacsLogged ? $" and {held.Count - MaxHeldMacsLogged} more" : "");
        _limitedLog.Information("tunnel-held", "tunnel {Peer} dropped: holding the sessions of {Macs} for {Grace} s", link.PeerName, macs, grace.TotalSeconds);
    }

    /// <summary>
    /// True when the AC was heard on this session through us (its PADS, echoes or data): only then may we
    /// PADT it. A claim or a guessed session id must never make us hang up another host's session.
    /// </summary>
    public static bool AcHeardOn(PppoeSession session) => session.LastFromServer is not null;

    public IReadOnlyList<PppoeSession> LiveSessionsOf(MacAddress client) =>
        Tracker.Find(s => s.ClientMac == client && s.State == SessionState.Established && s.SessionId != 0);

    /// <summary>The PADT toward the AC for a session, from the MAC the AC knows the client by.</summary>
    public PadtRequest PadtTowardAc(PppoeSession session, string message) => new()
    {
        Interface = InterfaceName,
        SessionId = (ushort)session.SessionId,
        ClientMac = Mode == MacMode.Rewrite ? InterfaceMac : session.ClientMac,
        ServerMac = session.ServerMac,
        VlanTags = session.VlanTags,
        Message = message,
    };

    /// <summary>Forgets a session we ended ourselves.</summary>
    public void Ended(PppoeSession session)
    {
        Tracker.MarkTerminated(session);
        BudgetEnded(session);
        _relayedSessions.TryRemove((session.ServerMac.Value, (ushort)session.SessionId), out _);
    }

    // from: the tunnel the frame came through; null for the AC.
    private void LogDiscovery(in FrameView frame, TunnelLink? from)
    {
        if (frame.Code == (byte)PppoeCode.PADS && frame.SessionId != 0)
            _log.LogInformation("session up: id {Session} client {Client} AC {Ac} (from {From})", frame.SessionId, frame.Destination, frame.Source,
                from?.PeerName ?? "AC");
        // A PADT needs no AC to answer it, so a tunnel can send them as fast as it likes: rate-limited (the
        // gate first, so a flood formats nothing); "session up" needs the AC's PADS and stays one line each.
        else if (frame.Code == (byte)PppoeCode.PADT && _limitedLog.Due("session-down", LogLevel.Information))
            _limitedLog.WriteDue(LogLevel.Information, "session-down", "session down: PADT for id {Session} {Src} -> {Dst} (from {From})",
                frame.SessionId, frame.Source, frame.Destination, from?.PeerName ?? "AC");
    }

    // Not "session down": nothing this server knew of ended. Not recorded either (a flood of guessed ids would fill the table).
    private void LogUnknownPadt(in FrameView frame, TunnelLink link)
    {
        if (_limitedLog.Due("padt-unknown", LogLevel.Information))
            _limitedLog.WriteDue(LogLevel.Information, "padt-unknown",
                "forwarded a PADT for session id {Session} from {Mac} through tunnel {Peer}: a session this server never carried (ended while it was down, or a guess), not recorded",
                frame.SessionId, frame.Source, link.PeerName);
    }

    private TunnelLink? Drop(DropReason reason)
    {
        Counters.Drop(reason);
        return null;
    }

    private static int DropOn(TunnelLink link, DropReason reason)
    {
        link.Counters.Drop(reason);
        return -1;
    }
}
