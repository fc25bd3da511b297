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
    /// <summary>Relay-Session-Id value prefix marking tags we added (then the client MAC).</summary>
    private static ReadOnlySpan<byte> RelayMarker => "PX"u8;
    private const int RelayTagLength = 8;

    private readonly ConcurrentDictionary<(ulong Ac, ushort Session), ulong> _relayedSessions = new();
    private readonly ConcurrentDictionary<long, int> _claimsByLink = new();
    private readonly ILogger _log;
    private readonly RateLimitedLog _limitedLog;
    // When each kind of refusal or move may log again (ms ticks), checked before anything is formatted: a
    // flood of refused frames then costs no allocation or lock per frame; the drop counters count them all.
    private readonly long[] _nextOwnershipLogMs = new long[9];
    private int _warnedNoRelayTag;
    private long _lastAlreadyRelayedWarning;

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
            LogDiscovery(routed, "from AC");
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
        bool reserved = false;
        if (discovery && !AdmitToBudget(link, frame, isPadi, out reserved, out overBudget)) return -1;
        // A tunnel at its session limit (or a full table) opens nothing more: no PADI, PADR or unknown session.
        if (!Tracker.TryObserve(frame, time, InterfaceName, FrameDirection.FromClient, link.Id, MaxSessionsPerTunnel))
        {
            if (reserved) UnreserveBudget(frame);
            return DropOn(link, DropReason.SessionLimit);
        }
        BudgetSees(frame, fromAc: false);
        if (frame.IsDiscovery) LogDiscovery(frame, $"from {link.PeerName}");
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

    // Counts and logs (one line per cause per second) a claim that was not simply "already owned";
    // false when refused. The tunnel counted is always the claimer, never the owner.
    private bool Accepted(TunnelLink link, MacAddress mac, ClaimResult claim, TunnelLink? holder, string what)
    {
        switch (claim)
        {
            case ClaimResult.ForbiddenSource:
                link.Counters.Drop(DropReason.ForbiddenSource);
                if (LogDue(0)) _limitedLog.Warning("mac-forbidden", "refused {What} from {Mac} through tunnel {Peer}: not a client MAC (multicast, zero, this server's or an AC's)",
                    what, mac, link.PeerName);
                return false;
            case ClaimResult.SpoofedSource:
                link.Counters.Drop(DropReason.SpoofedSource);
                if (LogDue(1)) _limitedLog.Warning("mac-conflict", "refused {What} from {Mac} through tunnel {Peer}: {Mac} belongs to tunnel {Owner}",
                    what, mac, link.PeerName, mac, holder?.PeerName);
                return false;
            case ClaimResult.HeldForOtherPeer:
                link.Counters.Drop(DropReason.HeldForOtherPeer);
                if (LogDue(2)) _limitedLog.Warning("mac-held", "refused {What} from {Mac} through tunnel {Peer}: its sessions are held for another certificate",
                    what, mac, link.PeerName);
                return false;
            case ClaimResult.MacLimit:
                link.Counters.Drop(DropReason.SessionLimit);
                if (LogDue(6)) _limitedLog.Warning("mac-limit", "refused {What} from {Mac} through tunnel {Peer}: it already speaks for {Max} client MACs",
                    what, mac, link.PeerName, MacOwnership.MaxMacsPerTunnel);
                return false;
            case ClaimResult.Adopted:
                if (LogDue(3)) _limitedLog.Information("mac-adopted", "tunnel {Peer} resumed the held sessions of {Mac}", link.PeerName, mac);
                return true;
            case ClaimResult.TakenOver:
                if (LogDue(4)) _limitedLog.Information("mac-taken-over", "tunnel {Peer} took {Mac} over from tunnel {Owner} (same certificate)", link.PeerName, mac, holder?.PeerName);
                return true;
            case ClaimResult.Claimed when holder is not null:
                if (LogDue(5)) _limitedLog.Information("mac-moved", "tunnel {Peer} took {Mac}, which had no session yet, from tunnel {Owner}", link.PeerName, mac, holder.PeerName);
                return true;
            default:
                return true;
        }
    }

    private bool LogDue(int kind)
    {
        long now = Environment.TickCount64, next = Volatile.Read(ref _nextOwnershipLogMs[kind]);
        return now >= next && Interlocked.CompareExchange(ref _nextOwnershipLogMs[kind], now + 1000, next) == next;
    }

    /// <summary>
    /// A Claims record from a reconnected client: each MAC goes through the ownership rules (as a
    /// discovery frame would); each live session of an accepted MAC is tracked with certain roles,
    /// its MAC's ownership becomes firm, and the AC's frames are routed to the tunnel at once.
    /// Refused entries are counted on the tunnel. A claimed session this server already ended (its hold
    /// expired and it sent the AC a PADT) is not brought back: <paramref name="endedHere"/> gets it, so
    /// the caller can tell the client's LAN. Returns (MACs accepted, sessions adopted, refused).
    /// </summary>
    public (int Macs, int Sessions, int Refused) ApplyClaims(TunnelLink link, ReadOnlySpan<byte> payload, DateTimeOffset time,
        Action<SessionClaim>? endedHere = null)
    {
        int macs = 0, sessions = 0, refused = 0;
        int count = payload.Length / WireCodec.ClaimEntrySize;
        int used = _claimsByLink.AddOrUpdate(link.Id, count, (_, before) => before + count);
        for (int i = 0; i < count; i++)
        {
            if (used - count + i >= MaxClaimsPerTunnel || !WireCodec.TryReadClaim(payload, i, out var entry))
            {
                link.Counters.Drop(DropReason.Malformed);
                refused++;
                continue;
            }
            if (entry.HasSession && !IsAcCandidate(entry.Ac, entry.Client))
            {
                link.Counters.Drop(DropReason.ForbiddenSource);
                refused++;
                continue;
            }
            var claim = Owners.Claim(link, entry.Client, discovery: true, out var holder);
            if (claim != ClaimResult.Owned && !Accepted(link, entry.Client, claim, holder, "a claim")) { refused++; continue; }
            macs++;
            if (!entry.HasSession) continue;
            if (Mode == MacMode.Rewrite)
            {
                // The AC knows the session by our MAC: route it back to this client unless another owns it.
                var key = (entry.Ac.Value, entry.SessionId);
                if (_relayedSessions.GetOrAdd(key, entry.Client.Value) != entry.Client.Value)
                {
                    link.Counters.Drop(DropReason.SpoofedSource);
                    refused++;
                    continue;
                }
            }
            if (!Tracker.Adopt(entry.Client, entry.Ac, entry.SessionId, entry.VlanTags, time, InterfaceName,
                    $"claimed by tunnel {link.PeerName} on reconnect", link.Id, MaxSessionsPerTunnel)
                && !Tracker.IsLive(entry.Client, entry.Ac, entry.SessionId, entry.VlanTags))
            {
                // Known but ended here: the LAN is told. Unknown: no room (the tunnel's share or the table is full);
                // the AC's frames still reach the client by its MAC, so nothing is ended, only not tracked.
                if (Tracker.Knows(entry.Client, entry.Ac, entry.SessionId, entry.VlanTags)) endedHere?.Invoke(entry);
                else link.Counters.Drop(DropReason.SessionLimit);
                refused++;
                continue;
            }
            Owners.MarkSession(entry.Client);
            sessions++;
        }
        return (macs, sessions, refused);
    }

    /// <summary>
    /// Forgets client MACs that never got a session once the tracker has let their discovery go, so a
    /// long-lived tunnel's share of <see cref="MacOwnership.MaxMacsPerTunnel"/> is not used up by old
    /// attempts. Every few seconds from the server's loop.
    /// </summary>
    public int ForgetUnusedMacs()
    {
        var known = Tracker.ClientMacs();
        return Owners.ForgetUnused(known.Contains, SessionTracker.DiscoveryTimeout);
    }

    // An AC a claimed session may name: a unicast, non-zero MAC that is no client's and not ours.
    private bool IsAcCandidate(MacAddress ac, MacAddress client) =>
        !ac.IsGroup && ac.Value != 0 && ac != client && ac != InterfaceMac && Owners.LinkFor(ac, out bool held) is null && !held;

    /// <summary>
    /// True when a forged PADT for this session would be a sane frame: both MACs unicast and
    /// non-zero, and different. Sessions never pass here unless roles went wrong; the check keeps a
    /// bug from ever becoming a PADT to a multicast group or from the AC's own MAC.
    /// </summary>
    public static bool CanForgePadt(PppoeSession session) =>
        !session.ClientMac.IsGroup && session.ClientMac.Value != 0 && !session.ServerMac.IsGroup && session.ServerMac.Value != 0
        && session.ClientMac != session.ServerMac && session.SessionId is > 0 and < 0xFFFF;

    // Rewrite mode, AC → client: find the client the frame is really for and put its MAC back.
    // False when dropped (counted); otherwise restored is the view of the edited copy in scratch.
    private bool TryRestoreClient(FrameView frame, Span<byte> scratch, out FrameView restored)
    {
        restored = default;
        int length = RestoreClient(frame, scratch, out var client);
        if (length < 0) return false;
        // The edit wrote the new PPPoE length: the payload changed by exactly that much.
        int payloadDelta = BinaryPrimitives.ReadUInt16BigEndian(scratch[(frame.PppoeOffset + 4)..]) - frame.LengthField;
        restored = frame.Rewritten(scratch[..length], client, payloadDelta);
        return true;
    }

    private int RestoreClient(in FrameView frame, Span<byte> scratch, out MacAddress client)
    {
        client = default;
        if (frame.Destination != InterfaceMac) { Drop(DropReason.UnknownDestination); return -1; }
        int length;
        if (frame.IsDiscovery)
        {
            if (TagEnumerator.TryFind(frame.Payload, (ushort)PppoeTagType.RelaySessionId, out var relay)
                && relay.Length == RelayTagLength && relay.StartsWith(RelayMarker))
            {
                client = MacAddress.Read(relay[2..]);
                length = FrameEditing.RemoveTag(frame, scratch, (ushort)PppoeTagType.RelaySessionId, relay);
                // Before any mapping is stored: a frame that cannot be edited is dropped, and counted.
                if (length < 0) { Drop(DropReason.Malformed); return -1; }
            }
            else if (_relayedSessions.TryGetValue((frame.Source.Value, frame.SessionId), out var known) && frame.SessionId != 0)
            {
                client = new MacAddress(known);
                length = frame.Bytes.Length;
                frame.Bytes.CopyTo(scratch);
            }
            else
            {
                if (Interlocked.Exchange(ref _warnedNoRelayTag, 1) == 0)
                    _log.LogWarning("AC {Ac} answered without our Relay-Session-Id tag: rewrite mode cannot route its {Code}; use --mac-mode transparent",
                        frame.Source, PppoeCodes.Name(frame.Code, true));
                Drop(DropReason.NotRelayed);
                return -1;
            }
            if (frame.Code == (byte)PppoeCode.PADS && frame.SessionId != 0)
                _relayedSessions[(frame.Source.Value, frame.SessionId)] = client.Value;
            else if (frame.Code == (byte)PppoeCode.PADT)
                _relayedSessions.TryRemove((frame.Source.Value, frame.SessionId), out _);
        }
        else
        {
            if (!_relayedSessions.TryGetValue((frame.Source.Value, frame.SessionId), out var known))
            {
                Drop(DropReason.NotRelayed);
                return -1;
            }
            client = new MacAddress(known);
            length = frame.Bytes.Length;
            frame.Bytes.CopyTo(scratch);
        }
        FrameEditing.SetDestination(scratch, client);
        return length;
    }

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

    /// <summary>Rewrite mode: the AC's session id no longer maps to a client (we sent its PADT).</summary>
    public void ForgetRelayed(MacAddress ac, ushort sessionId) => _relayedSessions.TryRemove((ac.Value, sessionId), out _);

    /// <summary>Forgets a session we ended ourselves.</summary>
    public void Ended(PppoeSession session)
    {
        Tracker.MarkTerminated(session);
        BudgetEnded(session);
        _relayedSessions.TryRemove((session.ServerMac.Value, (ushort)session.SessionId), out _);
    }

    private void LogDiscovery(in FrameView frame, string from)
    {
        if (frame.Code == (byte)PppoeCode.PADS && frame.SessionId != 0)
            _log.LogInformation("session up: id {Session} client {Client} AC {Ac} ({From})", frame.SessionId, frame.Destination, frame.Source, from);
        // A PADT needs no AC to answer it, so a tunnel can send them as fast as it likes: rate-limited (the
        // gate first, so a flood formats nothing); "session up" needs the AC's PADS and stays one line each.
        else if (frame.Code == (byte)PppoeCode.PADT && LogDue(7))
            _limitedLog.Information("session-down", "session down: PADT for id {Session} {Src} -> {Dst} ({From})", frame.SessionId, frame.Source, frame.Destination, from);
    }

    // One line a minute at most: a client repeating the PADI must not flood the log.
    private void WarnAlreadyRelayed(TunnelLink link, in FrameView frame)
    {
        long now = Environment.TickCount64, last = Volatile.Read(ref _lastAlreadyRelayedWarning);
        if (last != 0 && now - last < 60_000) return;
        if (Interlocked.CompareExchange(ref _lastAlreadyRelayedWarning, now, last) != last) return;
        _log.LogWarning("dropped a {Code} from {Client} through {Peer}: it already carries a Relay-Session-Id (relayed twice?)",
            PppoeCodes.Name(frame.Code, true), frame.Source, link.PeerName);
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
