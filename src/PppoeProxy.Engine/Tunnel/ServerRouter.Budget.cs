using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel.Limits;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>The router's side of the session budget (--max-sessions): which frames reserve, take and free its slots.</summary>
public sealed partial class ServerRouter
{
    /// <summary>Sessions at the AC all tunnels together may hold (see <see cref="SessionBudget"/>); null: unlimited.</summary>
    public SessionBudget? Budget { get; init; }

    /// <summary>
    /// The server's ghost guard is on: a discovery over the budget from a client that holds a session of its own
    /// (maybe the ghost of its restart, which fills the budget itself) goes to the guard instead of being refused.
    /// </summary>
    public bool DeferOwnSessionsToGuard { get; init; }

    /// <summary>
    /// A tunnel's PADI or PADR: false when the budget is full (dropped, counted, logged at most once a second;
    /// no PADT to anyone, so the client simply hears no offer). <paramref name="reserved"/>: a new slot was taken.
    /// <paramref name="overBudget"/>: full, but left to the ghost guard (see <see cref="DeferOwnSessionsToGuard"/>).
    /// </summary>
    private bool AdmitToBudget(TunnelLink link, in FrameView frame, bool isPadi, out bool reserved, out bool overBudget)
    {
        reserved = overBudget = false;
        if (Budget is not { } budget) return true;
        uint vlan = SessionTracker.VlanKey(frame);
        if (budget.TryAdmit(frame.Source, vlan, padr: !isPadi, out reserved)) return true;
        if (DeferOwnSessionsToGuard && budget.HoldsSession(frame.Source, vlan))
        {
            overBudget = true;
            return true;
        }
        RefuseOverBudget(link, frame);
        return false;
    }

    /// <summary>As the full overload, for a caller with no ghost guard: a frame over the budget is refused here.</summary>
    public int RouteFromTunnel(TunnelLink link, in FrameView frame, DateTimeOffset time, Span<byte> scratch, out bool inScratch)
    {
        int length = RouteFromTunnel(link, frame, time, scratch, out inScratch, out bool overBudget);
        if (!overBudget || length < 0) return length;
        RefuseOverBudget(link, frame);
        return -1;
    }

    /// <summary>A discovery frame over the budget: counted on its tunnel and logged at most once a second; nothing is sent.</summary>
    public void RefuseOverBudget(TunnelLink? link, in FrameView frame, MacAddress? client = null)
    {
        (link?.Counters ?? Counters).Drop(DropReason.SessionBudget);
        if (_limitedLog.Due("session-budget"))
            _limitedLog.WriteDue(LogLevel.Warning, "session-budget", "session budget {Max} reached: {Code} from {Mac} via tunnel {Peer} not forwarded (--max-sessions)",
                Budget?.Max, PppoeCodes.Name(frame.Code, true), client ?? frame.Source, link?.PeerName ?? "(gone)");
    }

    /// <summary>
    /// A discovery frame the ghost guard held, as it would go to the AC (rewritten in rewrite mode): false when
    /// the budget is still full (refused as above). A frame admitted before it was held keeps its slot.
    /// </summary>
    public bool AdmitReleased(ReadOnlySpan<byte> held)
    {
        var frame = FrameView.Parse(held);
        if (Budget is not { } budget || !frame.IsValid || !frame.IsDiscovery || frame.Code is not ((byte)PppoeCode.PADI or (byte)PppoeCode.PADR))
            return true;
        var client = frame.Source;
        // Rewrite mode sent it from our MAC: the client is the one named in our Relay-Session-Id tag.
        if (Mode == MacMode.Rewrite && TagEnumerator.TryFind(frame.Payload, (ushort)PppoeTagType.RelaySessionId, out var relay)
            && relay.Length == RelayTagLength && relay.StartsWith(RelayMarker))
            client = MacAddress.Read(relay[2..]);
        if (budget.Readmit(client, SessionTracker.VlanKey(frame), padr: frame.Code == (byte)PppoeCode.PADR)) return true;
        RefuseOverBudget(Owners.LinkFor(client, out _), frame, client);
        return false;
    }

    /// <summary>A PADT the server sent toward the AC itself (the ghost guard's): the session's slot is free at once.</summary>
    public void SentPadt(in FrameView padt) => BudgetSees(padt, fromAc: false);

    /// <summary>A frame the tracker refused after the budget let it in: its new slot is given back.</summary>
    private void UnreserveBudget(in FrameView frame) => Budget?.Release(frame.Source, SessionTracker.VlanKey(frame));

    /// <summary>A PADS or PADT on its way (either direction, client MAC as restored): slots change hands at once.</summary>
    private void BudgetSees(in FrameView frame, bool fromAc)
    {
        if (Budget is not { } budget || !frame.IsDiscovery) return;
        if (fromAc && frame.Code == (byte)PppoeCode.PADS)
            budget.SessionUp(frame.Destination, frame.Source, frame.SessionId, SessionTracker.VlanKey(frame));
        else if (frame.Code == (byte)PppoeCode.PADT)
            budget.SessionDown(frame.Source, frame.Destination, frame.SessionId, SessionTracker.VlanKey(frame));
    }

    /// <summary>A session we ended (a hold expired, the server stops): its slot is free.</summary>
    private void BudgetEnded(PppoeSession session) =>
        Budget?.SessionDown(session.ClientMac, session.ServerMac, (ushort)session.SessionId, SessionTracker.VlanKey(session.VlanTags));

    /// <summary>From the server's loop, after the tracker's sweep: stale discoveries free their slots, sessions recounted.</summary>
    public void SweepBudget() => Budget?.Sweep(Tracker);
}
