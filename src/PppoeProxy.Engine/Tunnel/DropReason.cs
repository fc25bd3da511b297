namespace PppoeProxy.Engine.Tunnel;

/// <summary>Why a frame was not forwarded. Every drop is counted under one of these.</summary>
public enum DropReason
{
    /// <summary>The tunnel's send queue was full: the tunnel could not keep up.</summary>
    QueueFull,
    /// <summary>The client had no tunnel up when the frame was captured.</summary>
    Disconnected,
    /// <summary>A frame from the AC to a MAC no tunnel owns.</summary>
    UnknownDestination,
    /// <summary>A tunnel sent a frame whose source MAC another live tunnel owns (rewrite mode: or for a session id that maps to another client).</summary>
    SpoofedSource,
    /// <summary>The source MAC's sessions are held for a tunnel with another certificate.</summary>
    HeldForOtherPeer,
    /// <summary>A frame to a client whose tunnel dropped: its sessions are held for the grace period.</summary>
    HeldSession,
    /// <summary>Rewrite mode: a discovery answer without our Relay-Session-Id, or a session we never set up.</summary>
    NotRelayed,
    /// <summary>Rewrite mode: a PADI or PADR from a tunnel that already carries a Relay-Session-Id (rp-pppoe drops these too).</summary>
    AlreadyRelayed,
    Malformed,
    /// <summary>Injection on the interface failed.</summary>
    InjectFailed,
    /// <summary>The kernel's capture ring was full: the proxy did not read fast enough (from pcap_stats).</summary>
    CaptureOverflow,
    /// <summary>A tunnel's PADI, PADR or unknown session past its session limit, or the session table was full.</summary>
    SessionLimit,
    /// <summary>A tunnel sent from a MAC no client can have: multicast, all zero, the server's own or an AC's.</summary>
    ForbiddenSource,
    /// <summary>A tunnel's PADI or PADR while the server's sessions at the AC, with discoveries in flight, filled --max-sessions.</summary>
    SessionBudget,
    /// <summary>UDP: datagrams the peer sent that never arrived (gaps in its sequence), or frames whose fragments did not all arrive.</summary>
    Lost,
    /// <summary>UDP with DTLS: a datagram whose record was already received (a replay), discarded by the replay window.</summary>
    Replayed,
    /// <summary>UDP: a datagram for this tunnel that failed authentication (DTLS) or did not parse; discarded.</summary>
    Unauthenticated,
}
