using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// The server's forwarding decisions, without sockets or threads: which tunnel an AC frame goes to,
/// whether a tunnel may send a frame, and what rewrite mode changes. Frames are never shared
/// between tunnels: a frame goes to the one tunnel owning its client MAC, or nowhere (counted).
/// </summary>
public sealed class ServerRouter
{
    /// <summary>Relay-Session-Id value prefix marking tags we added (then the client MAC).</summary>
    private static ReadOnlySpan<byte> RelayMarker => "PX"u8;
    private const int RelayTagLength = 8;

    private readonly ConcurrentDictionary<(ulong Ac, ushort Session), ulong> _relayedSessions = new();
    private readonly ILogger _log;
    private int _warnedNoRelayTag;
    private long _lastAlreadyRelayedWarning;

    /// <param name="counters">Where drops that belong to no tunnel are counted (the end's own counters).</param>
    public ServerRouter(MacMode mode, MacAddress interfaceMac, string interfaceName, SessionTracker tracker, ILogger logger,
        TunnelCounters? counters = null)
    {
        Counters = counters ?? new TunnelCounters();
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
    public MacOwnership Owners { get; } = new();
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
        if (Mode == MacMode.Rewrite)
        {
            var asCaptured = routed;
            if (!TryRestoreClient(asCaptured, scratch, out routed)) return null;
        }
        var link = Owners.LinkFor(routed.Destination, out bool held);
        if (link is null) return Drop(held ? DropReason.HeldSession : DropReason.UnknownDestination);
        // Only tunnelled sessions are ours to track: other hosts' sessions on the line (the home
        // router's own, say) must never get a PADT from us. The AC is not refused: its answers count
        // toward the tunnel's sessions, whose own frames are what the limit refuses.
        Tracker.TryObserve(routed, time, InterfaceName, link.Id, int.MaxValue);
        if (routed.IsDiscovery) LogDiscovery(routed, "from AC");
        return link;
    }

    /// <summary>
    /// A frame a tunnel sent. Returns the bytes to inject toward the AC (the original or
    /// <paramref name="scratch"/>), or -1 when it is dropped (counted on the link).
    /// </summary>
    public int RouteFromTunnel(TunnelLink link, in FrameView frame, DateTimeOffset time, Span<byte> scratch, out bool inScratch)
    {
        inScratch = false;
        if (!frame.IsValid) return DropOn(link, DropReason.Malformed);
        if (frame.Destination.IsGroup && !(frame.IsDiscovery && frame.Code == (byte)PppoeCode.PADI))
            return DropOn(link, DropReason.Malformed);
        switch (Owners.Claim(link, frame.Source))
        {
            case ClaimResult.SpoofedSource: return DropOn(link, DropReason.SpoofedSource);
            case ClaimResult.HeldForOtherPeer: return DropOn(link, DropReason.HeldForOtherPeer);
            case ClaimResult.Adopted:
                _log.LogInformation("tunnel {Peer} resumed the held sessions of {Mac}", link.PeerName, frame.Source);
                break;
        }
        if (Mode == MacMode.Rewrite && frame.IsSessionStage
            && (!_relayedSessions.TryGetValue((frame.Destination.Value, frame.SessionId), out var owner) || owner != frame.Source.Value))
            return DropOn(link, DropReason.SpoofedSource);
        // A tunnel at its session limit (or a full table) opens nothing more: no PADI, PADR or unknown session.
        if (!Tracker.TryObserve(frame, time, InterfaceName, link.Id, MaxSessionsPerTunnel))
            return DropOn(link, DropReason.SessionLimit);
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
                return DropOn(link, DropReason.AlreadyRelayed);
            }
            Span<byte> tag = stackalloc byte[RelayTagLength];
            RelayMarker.CopyTo(tag);
            frame.Source.Write(tag[2..]);
            length = FrameEditing.AppendTag(frame, scratch, (ushort)PppoeTagType.RelaySessionId, tag);
            if (length < 0) return DropOn(link, DropReason.Malformed);
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

    /// <summary>A tunnel dropped: its MACs with live sessions are held for the grace period.</summary>
    public void OnLinkClosed(TunnelLink link, TimeSpan grace)
    {
        var held = Owners.Release(link, mac => LiveSessionsOf(mac).Count > 0, grace);
        foreach (var mac in held)
            _log.LogInformation("tunnel {Peer} dropped: holding the sessions of {Mac} for {Grace} s", link.PeerName, mac, grace.TotalSeconds);
    }

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
        _relayedSessions.TryRemove((session.ServerMac.Value, (ushort)session.SessionId), out _);
    }

    private void LogDiscovery(in FrameView frame, string from)
    {
        if (frame.Code == (byte)PppoeCode.PADS && frame.SessionId != 0)
            _log.LogInformation("session up: id {Session} client {Client} AC {Ac} ({From})", frame.SessionId, frame.Destination, frame.Source, from);
        else if (frame.Code == (byte)PppoeCode.PADT)
            _log.LogInformation("session down: PADT for id {Session} {Src} -> {Dst} ({From})", frame.SessionId, frame.Source, frame.Destination, from);
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
