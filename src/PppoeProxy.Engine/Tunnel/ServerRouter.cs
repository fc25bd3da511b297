using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Tunnel;

public enum MacMode
{
    /// <summary>Frames keep the remote client's MAC; the AC-side interface must be promiscuous.</summary>
    Transparent,
    /// <summary>Like rp-pppoe's pppoe-relay: the AC sees only our interface MAC (works on a plain macvlan).</summary>
    Rewrite,
}

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

    public ServerRouter(MacMode mode, MacAddress interfaceMac, string interfaceName, SessionTracker tracker, ILogger logger)
    {
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
    public TunnelCounters Counters { get; } = new();

    /// <summary>
    /// A frame from the AC. Returns the tunnel to send it to and the bytes to send (the original or
    /// <paramref name="scratch"/>); null when it is dropped (and counted).
    /// </summary>
    public TunnelLink? RouteFromAc(in FrameView frame, DateTimeOffset time, Span<byte> scratch, out ReadOnlySpan<byte> toSend)
    {
        toSend = frame.Bytes;
        if (!frame.IsPppoe) return Drop(DropReason.Malformed);
        MacAddress client = frame.Destination;
        if (Mode == MacMode.Rewrite)
        {
            int length = RestoreClient(frame, scratch, out client);
            if (length < 0) return null;
            toSend = scratch[..length];
        }
        var link = Owners.LinkFor(client, out bool held);
        if (link is null) return Drop(held ? DropReason.HeldSession : DropReason.UnknownDestination);
        // Only tunnelled sessions are ours to track: other hosts' sessions on the line (the home
        // router's own, say) must never get a PADT from us.
        // Transparent mode forwards the frame as captured: no need to parse it a second time.
        var restored = Mode == MacMode.Rewrite ? FrameView.Parse(toSend) : frame;
        Tracker.Observe(restored, time, InterfaceName);
        if (restored.IsDiscovery) LogDiscovery(restored, "from AC");
        return link;
    }

    /// <summary>
    /// A frame a tunnel sent. Returns the bytes to inject toward the AC (the original or
    /// <paramref name="scratch"/>), or -1 when it is dropped (counted on the link).
    /// </summary>
    public int RouteFromTunnel(TunnelLink link, in FrameView frame, DateTimeOffset time, Span<byte> scratch, out bool inScratch)
    {
        inScratch = false;
        if (!frame.IsPppoe || frame.Error is FrameError.TruncatedPppoeHeader or FrameError.BadVersionType)
            return DropOn(link, DropReason.Malformed);
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
        Tracker.Observe(frame, time, InterfaceName);
        if (frame.IsDiscovery) LogDiscovery(frame, $"from {link.PeerName}");
        if (Mode == MacMode.Transparent) return frame.Bytes.Length;

        inScratch = true;
        int length;
        if (frame.IsDiscovery && frame.Code is (byte)PppoeCode.PADI or (byte)PppoeCode.PADR)
        {
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
