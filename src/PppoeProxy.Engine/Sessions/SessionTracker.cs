using System.Collections.Concurrent;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Sessions;

/// <summary>
/// Learns PPPoE sessions from a frame stream: from discovery when it sees it, and from mid-session
/// traffic alone otherwise (a tool started late, or a ghost session with only the AC's echoes left).
/// Counters are thread-safe; role and state changes are rare and last-writer-wins.
/// </summary>
public sealed class SessionTracker
{
    private readonly ConcurrentDictionary<SessionKey, PppoeSession> _sessions = new();
    // Discovery state before a session id exists: PADI info by client, offers by (client, AC).
    private readonly ConcurrentDictionary<(ulong Client, uint Vlan), PppoeSession> _padiSeen = new();
    private readonly Func<MacAddress, bool> _isLocalMac;

    /// <param name="isLocalMac">True for MACs owned by this host: such a MAC is the client.</param>
    public SessionTracker(Func<MacAddress, bool>? isLocalMac = null) => _isLocalMac = isLocalMac ?? (_ => false);

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
        uint vlan = VlanKey(tags.Length, tags.Length > 0 ? tags[0].Id : 0, tags.Length > 1 ? tags[1].Id : 0);
        if (_sessions.TryGetValue(SessionKey.Of(session.ClientMac, session.ServerMac, (ushort)session.SessionId, vlan), out var live))
        {
            live.State = SessionState.Terminated;
            live.LastSeen = DateTimeOffset.UtcNow;
        }
    }

    /// <summary>A frame of unknown direction (a sniffer): roles are guessed from what it shows.</summary>
    public void Observe(in FrameView frame, DateTimeOffset time, string? interfaceName) =>
        Observe(frame, time, interfaceName, FrameDirection.Unknown);

    /// <summary>
    /// A frame whose direction the caller knows (the proxy ends): a session first met mid-stream gets
    /// its roles from the direction, and no heuristic (unanswered echoes, PPP auth) ever runs on it,
    /// so a resumed session can never come out with client and AC swapped.
    /// </summary>
    public void Observe(in FrameView frame, DateTimeOffset time, string? interfaceName, FrameDirection direction)
    {
        if (!frame.IsPppoe || frame.Error is FrameError.TruncatedPppoeHeader or FrameError.BadVersionType) return;
        if (frame.IsDiscovery) ObserveDiscovery(frame, time, interfaceName, direction);
        else ObserveSession(frame, time, interfaceName, direction);
    }

    /// <summary>
    /// A live session a proxy client reported on reconnect (the server restarted and lost it): tracked
    /// as established with certain roles, so the server can hold it and PADT it if the client vanishes.
    /// Returns false when the session was already known (then nothing changes): live, or ended here
    /// (e.g. our own PADT when a hold expired), which a late claim must not bring back.
    /// </summary>
    public bool Adopt(MacAddress client, MacAddress ac, ushort sessionId, VlanTag[] vlanTags, DateTimeOffset time, string? interfaceName, string evidence)
    {
        uint vlan = VlanKey(vlanTags.Length, vlanTags.Length > 0 ? vlanTags[0].Id : 0, vlanTags.Length > 1 ? vlanTags[1].Id : 0);
        var key = SessionKey.Of(client, ac, sessionId, vlan);
        if (_sessions.ContainsKey(key)) return false;
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
        };
        _sessions[key] = session;
        return true;
    }

    /// <summary>True when the tracker holds this session as established.</summary>
    public bool IsLive(MacAddress client, MacAddress ac, ushort sessionId, VlanTag[] vlanTags)
    {
        uint vlan = VlanKey(vlanTags.Length, vlanTags.Length > 0 ? vlanTags[0].Id : 0, vlanTags.Length > 1 ? vlanTags[1].Id : 0);
        return _sessions.TryGetValue(SessionKey.Of(client, ac, sessionId, vlan), out var session)
            && session.State == SessionState.Established && session.ClientMac == client;
    }

    private void ObserveSession(in FrameView frame, DateTimeOffset time, string? interfaceName, FrameDirection direction)
    {
        var key = SessionKey.Of(frame.Source, frame.Destination, frame.SessionId, VlanKey(frame));
        if (!_sessions.TryGetValue(key, out var session))
        {
            session = NewSession(frame, time, interfaceName, SessionState.Established);
            bool sourceIsAc = direction == FrameDirection.FromAc;
            session.ClientMac = sourceIsAc ? frame.Destination : frame.Source;
            session.ServerMac = sourceIsAc ? frame.Source : frame.Destination;
            if (direction == FrameDirection.Unknown) ApplyLocalMacEvidence(session);
            else
            {
                session.RoleConfidence = RoleConfidence.Certain;
                session.RoleEvidence = "direction known (proxied frame)";
            }
            // Two threads may meet the same new session (proxy capture and tunnel reader): one wins.
            session = _sessions.GetOrAdd(key, session);
        }
        Tally(session, frame, time);
        if (direction == FrameDirection.Unknown && session.RoleConfidence < RoleConfidence.Likely) ApplyPppEvidence(session, frame);
    }

    private static void Tally(PppoeSession session, in FrameView frame, DateTimeOffset time)
    {
        session.LastSeen = time;
        bool fromClient = frame.Source == session.ClientMac;
        if (fromClient) session.LastFromClient = time; else session.LastFromServer = time;
        session.CountFrame(fromClient, frame.Bytes.Length);
        if (frame.IsLcp(PppProtocols.LcpEchoRequest))
        {
            if (fromClient) session.EchoRequestsFromClientMac++;
            else session.EchoRequestsFromServerMac++;
        }
    }

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

    private void ObserveDiscovery(in FrameView frame, DateTimeOffset time, string? interfaceName, FrameDirection direction)
    {
        uint vlan = VlanKey(frame);
        switch ((PppoeCode)frame.Code)
        {
            case PppoeCode.PADI:
            {
                var padi = NewSession(frame, time, interfaceName, SessionState.Discovering);
                padi.ClientMac = frame.Source;
                FillFromTags(padi, frame);
                _padiSeen[(frame.Source.Value, vlan)] = padi;
                break;
            }
            case PppoeCode.PADO:
            case PppoeCode.PADR:
            {
                bool fromAc = frame.Code == (byte)PppoeCode.PADO;
                var client = fromAc ? frame.Destination : frame.Source;
                var ac = fromAc ? frame.Source : frame.Destination;
                var session = Discovering(client, ac, vlan, frame, time, interfaceName);
                FillFromTags(session, frame);
                Tally(session, frame, time);
                break;
            }
            case PppoeCode.PADS:
            {
                var client = frame.Destination;
                var ac = frame.Source;
                var discovering = Discovering(client, ac, vlan, frame, time, interfaceName);
                if (frame.SessionId == 0)
                {
                    // The AC refused; the offer entry records that.
                    discovering.State = SessionState.Terminated;
                    FillFromTags(discovering, frame);
                    Tally(discovering, frame, time);
                    break;
                }
                _sessions.TryRemove(SessionKey.Of(client, ac, 0, vlan), out _);
                var session = discovering.Clone();
                session.SessionId = frame.SessionId;
                session.State = SessionState.Established;
                session.LastSeen = time;
                FillFromTags(session, frame);
                Tally(session, frame, time);
                _sessions[SessionKey.Of(client, ac, frame.SessionId, vlan)] = session;
                break;
            }
            case PppoeCode.PADT:
            {
                var key = SessionKey.Of(frame.Source, frame.Destination, frame.SessionId, vlan);
                if (!_sessions.TryGetValue(key, out var session))
                {
                    // A PADT for a session we never saw still tells us it existed and is over.
                    session = NewSession(frame, time, interfaceName, SessionState.Terminated);
                    bool sourceIsAc = direction == FrameDirection.FromAc;
                    session.ClientMac = sourceIsAc ? frame.Destination : frame.Source;
                    session.ServerMac = sourceIsAc ? frame.Source : frame.Destination;
                    _sessions[key] = session;
                    if (direction == FrameDirection.Unknown) ApplyLocalMacEvidence(session);
                    else
                    {
                        session.RoleConfidence = RoleConfidence.Certain;
                        session.RoleEvidence = "direction known (proxied frame)";
                    }
                }
                session.State = SessionState.Terminated;
                Tally(session, frame, time);
                break;
            }
        }
    }

    private PppoeSession Discovering(MacAddress client, MacAddress ac, uint vlan, in FrameView frame,
        DateTimeOffset time, string? interfaceName)
    {
        var key = SessionKey.Of(client, ac, 0, vlan);
        if (_sessions.TryGetValue(key, out var session)) return session;
        session = NewSession(frame, time, interfaceName, SessionState.Discovering);
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
        _sessions[key] = session;
        return session;
    }

    private static PppoeSession NewSession(in FrameView frame, DateTimeOffset time, string? interfaceName, SessionState state) => new()
    {
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

    private static uint VlanKey(int count, int outerId, int innerId) => count switch
    {
        0 => 0,
        1 => 0x1000_0000u | (uint)outerId,
        _ => 0x2000_0000u | ((uint)outerId << 12) | (uint)innerId,
    };
}
