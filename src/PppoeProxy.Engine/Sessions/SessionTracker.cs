using System.Collections.Concurrent;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Sessions;

/// <summary>
/// Learns PPPoE sessions from a frame stream: from discovery when it sees it, and from mid-session
/// traffic alone otherwise (a tool started late, or a ghost session with only the AC's echoes left).
/// Counters are thread-safe; role and state changes are rare and last-writer-wins.
/// A long-running proxy bounds it (see SessionTracker.Lifecycle.cs): at most <see cref="MaxSessions"/>
/// entries, ended and unfinished ones swept out after a while.
/// </summary>
public sealed partial class SessionTracker
{
    private readonly ConcurrentDictionary<SessionKey, PppoeSession> _sessions = new();
    // Discovery state before a session id exists: PADI info by client, offers by (client, AC).
    private readonly ConcurrentDictionary<(ulong Client, uint Vlan), PppoeSession> _padiSeen = new();
    private readonly Func<MacAddress, bool> _isLocalMac;

    /// <param name="isLocalMac">True for MACs owned by this host: such a MAC is the client.</param>
    /// <param name="maxSessions">Entries (sessions and discoveries) at most; new ones past it are refused and counted.
    /// Unbounded for reading a capture file; a proxy passes its limit.</param>
    public SessionTracker(Func<MacAddress, bool>? isLocalMac = null, int maxSessions = int.MaxValue)
    {
        _isLocalMac = isLocalMac ?? (_ => false);
        MaxSessions = maxSessions > 0 ? maxSessions : throw new ArgumentOutOfRangeException(nameof(maxSessions), "must be positive");
    }

    public int Count => _sessions.Count;

    /// <summary>Copies of the sessions, safe to hand to users while observation goes on.</summary>
    public IReadOnlyList<PppoeSession> Snapshot() =>
        _sessions.Values.Select(s => s.Clone()).OrderBy(s => s.FirstSeen).ThenBy(s => s.SessionId).ToList();

    /// <summary>Copies of the sessions that match, e.g. the live sessions of one client MAC.</summary>
    public IReadOnlyList<PppoeSession> Find(Func<PppoeSession, bool> match) =>
        _sessions.Values.Where(match).Select(s => s.Clone()).ToList();

    /// <summary>Marks a session ended when we ended it ourselves (a PADT the wire will not show us).</summary>
    public void MarkTerminated(PppoeSession session)
    {
        var tags = session.VlanTags;
        uint vlan = VlanKey(tags);
        if (_sessions.TryGetValue(SessionKey.Of(session.ClientMac, session.ServerMac, (ushort)session.SessionId, vlan), out var live))
        {
            live.State = SessionState.Terminated;
            live.LastSeen = DateTimeOffset.UtcNow;
        }
    }

    /// <summary>A frame of unknown direction (a sniffer): roles are guessed from what it shows.</summary>
    public void Observe(in FrameView frame, DateTimeOffset time, string? interfaceName) =>
        TryObserve(frame, time, interfaceName, FrameDirection.Unknown, owner: 0, ownerLimit: int.MaxValue);

    /// <summary>
    /// A frame whose direction the caller knows (the proxy ends): a session first met mid-stream gets
    /// its roles from the direction, and no heuristic (unanswered echoes, PPP auth) ever runs on it,
    /// so a resumed session can never come out with client and AC swapped.
    /// </summary>
    public void Observe(in FrameView frame, DateTimeOffset time, string? interfaceName, FrameDirection direction) =>
        TryObserve(frame, time, interfaceName, direction, owner: 0, ownerLimit: int.MaxValue);

    /// <summary>
    /// Observes a frame of known <paramref name="direction"/> on behalf of <paramref name="owner"/> (a tunnel's id; 0 for none).
    /// False when the frame would open a new session or discovery and the table is full or the owner already has
    /// <paramref name="ownerLimit"/> live ones: nothing was recorded, and a proxy should not forward it.
    /// A PADT is always admitted (recorded only if there is room, and never on an owner's behalf when its session is
    /// unknown): ending a session is never refused.
    /// </summary>
    public bool TryObserve(in FrameView frame, DateTimeOffset time, string? interfaceName, FrameDirection direction, long owner, int ownerLimit)
    {
        if (!frame.IsPppoe || frame.Error is FrameError.TruncatedPppoeHeader or FrameError.BadVersionType) return true;
        var admission = new SessionAdmission(owner, ownerLimit);
        return frame.IsDiscovery
            ? ObserveDiscovery(frame, time, interfaceName, direction, admission)
            : ObserveSession(frame, time, interfaceName, direction, admission);
    }

    /// <summary>
    /// A live session a proxy client reported on reconnect (the server restarted and lost it): tracked
    /// as established with certain roles, so the server can hold it and PADT it if the client vanishes.
    /// Returns false when the session was already known (then nothing changes): live, or ended here
    /// (e.g. our own PADT when a hold expired), which a late claim must not bring back; false too when
    /// the table or the owner's share is full.
    /// </summary>
    public bool Adopt(MacAddress client, MacAddress ac, ushort sessionId, VlanTag[] vlanTags, DateTimeOffset time, string? interfaceName,
        string evidence, long owner = 0, int ownerLimit = int.MaxValue)
    {
        uint vlan = VlanKey(vlanTags);
        var key = SessionKey.Of(client, ac, sessionId, vlan);
        if (_sessions.ContainsKey(key)) return false;
        if (!MayAdd(new SessionAdmission(owner, ownerLimit), live: true)) return false;
        var session = new PppoeSession
        {
            Interface = interfaceName,
            SessionId = sessionId,
            State = SessionState.Established,
            FirstSeen = time,
            LastSeen = time,
            VlanTags = vlanTags,
            ClientMac = client,
            ServerMac = ac,
            RoleConfidence = RoleConfidence.Certain,
            RoleEvidence = evidence,
            Owner = owner,
        };
        return ReferenceEquals(AddOrGet(key, session), session);
    }

    /// <summary>True when the tracker holds this session in any state.</summary>
    public bool Knows(MacAddress client, MacAddress ac, ushort sessionId, VlanTag[] vlanTags)
    {
        uint vlan = VlanKey(vlanTags);
        return _sessions.ContainsKey(SessionKey.Of(client, ac, sessionId, vlan));
    }

    /// <summary>True when the tracker holds the session of this frame (either direction) in any state.</summary>
    public bool Knows(in FrameView frame) => _sessions.ContainsKey(SessionKey.Of(frame.Source, frame.Destination, frame.SessionId, VlanKey(frame)));

    /// <summary>True when the tracker holds this session as established.</summary>
    public bool IsLive(MacAddress client, MacAddress ac, ushort sessionId, VlanTag[] vlanTags)
    {
        uint vlan = VlanKey(vlanTags);
        return _sessions.TryGetValue(SessionKey.Of(client, ac, sessionId, vlan), out var session)
            && session.State == SessionState.Established && session.ClientMac == client;
    }

    private bool ObserveSession(in FrameView frame, DateTimeOffset time, string? interfaceName, FrameDirection direction, SessionAdmission admission)
    {
        var key = SessionKey.Of(frame.Source, frame.Destination, frame.SessionId, VlanKey(frame));
        if (!_sessions.TryGetValue(key, out var session))
        {
            if (!MayAdd(admission, live: true)) return false;
            session = NewSession(frame, time, interfaceName, SessionState.Established, admission.Owner);
            SetRoles(session, frame, direction);
            // Two threads may meet the same new session (proxy capture and tunnel reader): one wins.
            session = AddOrGet(key, session);
        }
        else if (admission.Owner != 0 && session.Owner != admission.Owner)
        {
            session.Owner = admission.Owner; // resumed through a new tunnel: it counts there from the next sweep
        }
        Tally(session, frame, time);
        if (direction == FrameDirection.Unknown && session.RoleConfidence < RoleConfidence.Likely) ApplyPppEvidence(session, frame);
        return true;
    }

    /// <summary>Roles of a session first met mid-stream: from the direction when known, else guessed from local MACs.</summary>
    private void SetRoles(PppoeSession session, in FrameView frame, FrameDirection direction)
    {
        bool sourceIsAc = direction == FrameDirection.FromAc;
        session.ClientMac = sourceIsAc ? frame.Destination : frame.Source;
        session.ServerMac = sourceIsAc ? frame.Source : frame.Destination;
        if (direction == FrameDirection.Unknown) ApplyLocalMacEvidence(session);
        else
        {
            session.RoleConfidence = RoleConfidence.Certain;
            session.RoleEvidence = "direction known (proxied frame)";
        }
    }

    private static void Tally(PppoeSession session, in FrameView frame, DateTimeOffset time)
    {
        session.LastSeen = time;
        bool fromClient = frame.Source == session.ClientMac;
        if (fromClient) session.LastFromClient = time; else session.LastFromServer = time;
        session.CountFrame(fromClient, frame.Bytes.Length);
        if (fromClient) session.AcEchoesSinceClientSpoke = 0;
        if (frame.IsLcp(PppProtocols.LcpEchoRequest))
        {
            if (fromClient) session.EchoRequestsFromClientMac++;
            else { session.EchoRequestsFromServerMac++; session.AcEchoesSinceClientSpoke++; }
        }
        else if (frame.IsLcp(PppProtocols.LcpConfigureAck)) RecordMru(session, frame, fromClient);
    }

    // A Configure-Ack repeats the options of the request it accepts: the client's Ack carries the AC's MRU and
    // the AC's the client's. An Ack without MRU means the default again (LCP renegotiated without one).
    private static void RecordMru(PppoeSession session, in FrameView frame, bool fromClient)
    {
        var packet = frame.PppPacket;
        // The sniffer observes broken frames too: a Length past the packet is no option list.
        if (frame.PppLength < 4 || frame.PppLength > packet.Length || !LcpOptions.TryFindMru(packet[4..frame.PppLength], out ushort mru)) return;
        if (fromClient) session.AcMru = mru; else session.ClientMru = mru;
    }

    /// <summary>
    /// The MTU of the frame's session for MSS clamping (<see cref="PppoeSession.Mtu"/>), or the PPPoE default
    /// when it is not tracked. A dictionary lookup: the clamp asks for TCP SYNs only, never per frame.
    /// </summary>
    internal int MtuOf(in FrameView frame) =>
        frame.IsSessionStage && _sessions.TryGetValue(SessionKey.Of(frame.Source, frame.Destination, frame.SessionId, VlanKey(frame)), out var session)
            ? session.Mtu : PppoeSession.DefaultMtu;

    private void ApplyPppEvidence(PppoeSession session, in FrameView frame)
    {
        if (frame.HasPppControlHeader)
        {
            bool? senderIsClient = (frame.PppProtocol, frame.PppCode) switch
            {
                (PppProtocols.Pap, PppProtocols.PapAuthenticateRequest) => true,
                (PppProtocols.Pap, 2 or 3) => false,
                (PppProtocols.Chap, PppProtocols.ChapChallenge) => false,
                (PppProtocols.Chap, PppProtocols.ChapResponse) => true,
                (PppProtocols.Chap, 3 or 4) => false,
                _ => null,
            };
            if (senderIsClient is bool isClient)
            {
                string what = $"{PppProtocols.Name(frame.PppProtocol)} {PppProtocols.CodeName(frame.PppProtocol, frame.PppCode)} from {frame.Source}";
                SetRoles(session, isClient ? frame.Source : frame.Destination, RoleConfidence.Likely, what);
                return;
            }
        }
        if (session.RoleConfidence == RoleConfidence.Guessed && session.FramesFromClient > 0 && session.FramesFromServer > 0)
        {
            // The silent side spoke after all: unanswered echoes no longer tell us anything.
            session.RoleConfidence = RoleConfidence.Unknown;
            session.RoleEvidence = "both sides talk; no role evidence yet";
            return;
        }
        if (session.RoleConfidence >= RoleConfidence.Guessed) return;
        // Ghost sessions: one side keeps probing, the other never says anything.
        if (session.EchoRequestsFromServerMac > 0 && session.FramesFromClient == 0)
            SetRoles(session, session.ClientMac, RoleConfidence.Guessed, $"unanswered LCP Echo-Requests from {session.ServerMac}");
        else if (session.EchoRequestsFromClientMac > 0 && session.FramesFromServer == 0)
            SetRoles(session, session.ServerMac, RoleConfidence.Guessed, $"unanswered LCP Echo-Requests from {session.ClientMac}");
    }

    private void ApplyLocalMacEvidence(PppoeSession session)
    {
        bool clientLocal = _isLocalMac(session.ClientMac), serverLocal = _isLocalMac(session.ServerMac);
        if (clientLocal == serverLocal) return;
        var local = clientLocal ? session.ClientMac : session.ServerMac;
        SetRoles(session, local, RoleConfidence.Certain, $"{local} belongs to this host");
    }

    private static void SetRoles(PppoeSession session, MacAddress client, RoleConfidence confidence, string evidence)
    {
        if (confidence <= session.RoleConfidence) return;
        if (session.ClientMac != client) session.SwapRoles();
        session.RoleConfidence = confidence;
        session.RoleEvidence = evidence;
    }

    private bool ObserveDiscovery(in FrameView frame, DateTimeOffset time, string? interfaceName, FrameDirection direction, SessionAdmission admission)
    {
        uint vlan = VlanKey(frame);
        switch ((PppoeCode)frame.Code)
        {
            case PppoeCode.PADI:
            {
                var padiKey = (frame.Source.Value, vlan);
                // A repeated PADI replaces its client's entry; only a new client needs room.
                if (!_padiSeen.ContainsKey(padiKey) && !MayAdd(admission, live: true)) return false;
                var padi = NewSession(frame, time, interfaceName, SessionState.Discovering, admission.Owner);
                padi.ClientMac = frame.Source;
                FillFromTags(padi, frame);
                if (_padiSeen.TryAdd(padiKey, padi)) Added(admission.Owner);
                else _padiSeen[padiKey] = padi;
                break;
            }
            case PppoeCode.PADO:
            case PppoeCode.PADR:
            {
                bool fromAc = frame.Code == (byte)PppoeCode.PADO;
                var client = fromAc ? frame.Destination : frame.Source;
                var ac = fromAc ? frame.Source : frame.Destination;
                var session = Discovering(client, ac, vlan, frame, time, interfaceName, admission);
                if (session is null) return false;
                FillFromTags(session, frame);
                Tally(session, frame, time);
                break;
            }
            case PppoeCode.PADS:
            {
                var client = frame.Destination;
                var ac = frame.Source;
                var discovering = Discovering(client, ac, vlan, frame, time, interfaceName, admission);
                if (discovering is null) return false;
                if (frame.SessionId == 0)
                {
                    // The AC refused; the offer entry records that.
                    discovering.State = SessionState.Terminated;
                    FillFromTags(discovering, frame);
                    Tally(discovering, frame, time);
                    break;
                }
                if (_sessions.TryRemove(SessionKey.Of(client, ac, 0, vlan), out _)) Removed();
                // Discovery is over: the PADI's entry would only wait for its timeout.
                if (_padiSeen.TryRemove((client.Value, vlan), out _)) Removed();
                var session = discovering.Clone();
                session.SessionId = frame.SessionId;
                session.State = SessionState.Established;
                session.LastSeen = time;
                FillFromTags(session, frame);
                Tally(session, frame, time);
                var key = SessionKey.Of(client, ac, frame.SessionId, vlan);
                if (_sessions.TryAdd(key, session)) Added(session.Owner);
                else _sessions[key] = session;
                break;
            }
            case PppoeCode.PADT:
            {
                var key = SessionKey.Of(frame.Source, frame.Destination, frame.SessionId, vlan);
                if (!_sessions.TryGetValue(key, out var session))
                {
                    // On a proxy's server end (an owner) every session it carries was seen set up, claimed or heard:
                    // a PADT for any other is no history worth a slot (a flood of guessed ids filled half the table).
                    if (admission.Owner != 0) return true;
                    // A sniffer started late: a PADT for a session never seen still tells it existed and is over (when there is room).
                    if (!MayAdd(admission, live: false)) return true;
                    session = NewSession(frame, time, interfaceName, SessionState.Terminated, admission.Owner);
                    SetRoles(session, frame, direction);
                    session = AddOrGet(key, session);
                }
                session.State = SessionState.Terminated;
                Tally(session, frame, time);
                break;
            }
        }
        return true;
    }

    /// <summary>The (client, AC) discovery entry; null when a new one was needed and refused.</summary>
    private PppoeSession? Discovering(MacAddress client, MacAddress ac, uint vlan, in FrameView frame,
        DateTimeOffset time, string? interfaceName, SessionAdmission admission)
    {
        var key = SessionKey.Of(client, ac, 0, vlan);
        if (_sessions.TryGetValue(key, out var session)) return session;
        if (!MayAdd(admission, live: true)) return null;
        session = NewSession(frame, time, interfaceName, SessionState.Discovering, admission.Owner);
        if (_padiSeen.TryGetValue((client.Value, vlan), out var padi))
        {
            session.FirstSeen = padi.FirstSeen;
            session.ServiceName = padi.ServiceName;
            session.HostUniq = padi.HostUniq;
        }
        session.ClientMac = client;
        session.ServerMac = ac;
        session.RoleConfidence = RoleConfidence.Certain;
        session.RoleEvidence = "seen in discovery";
        return AddOrGet(key, session);
    }

    private static PppoeSession NewSession(in FrameView frame, DateTimeOffset time, string? interfaceName, SessionState state, long owner) => new()
    {
        Owner = owner,
        Interface = interfaceName,
        SessionId = frame.SessionId,
        State = state,
        FirstSeen = time,
        LastSeen = time,
        VlanTags = frame.VlanTagArray(),
    };

    private static void FillFromTags(PppoeSession session, in FrameView frame)
    {
        foreach (var tag in frame.Tags)
        {
            switch ((PppoeTagType)tag.Type)
            {
                case PppoeTagType.ServiceName when tag.Value.Length > 0 || session.ServiceName is null:
                    session.ServiceName = PppoeTag.FormatValue(tag.Type, tag.Value);
                    break;
                case PppoeTagType.AcName:
                    session.AcName = PppoeTag.FormatValue(tag.Type, tag.Value);
                    break;
                case PppoeTagType.HostUniq:
                    session.HostUniq = PppoeTag.FormatValue(tag.Type, tag.Value);
                    break;
            }
        }
    }

    /// <summary>VLAN ids folded into one number (outer in the high half) for keys.</summary>
    public static uint VlanKey(in FrameView frame) => VlanKey(frame.VlanCount, frame.OuterVlanId, frame.InnerVlanId);

    // The key part of a session's VLAN tags (as stored on the session), so keys built from tags and from frames agree.
    internal static uint VlanKey(VlanTag[] tags) => VlanKey(tags.Length, tags.Length > 0 ? tags[0].Id : 0, tags.Length > 1 ? tags[1].Id : 0);

    private static uint VlanKey(int count, int outerId, int innerId) => count switch
    {
        0 => 0,
        1 => 0x1000_0000u | (uint)outerId,
        _ => 0x2000_0000u | ((uint)outerId << 12) | (uint)innerId,
    };
}
