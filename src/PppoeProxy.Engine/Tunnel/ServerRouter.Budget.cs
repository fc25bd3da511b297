using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel.Limits;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>The router's side of the session budget (--max-sessions): which frames reserve, take and free its slots.</summary>
public sealed partial class ServerRouter
{
    private const int BudgetLogKind = 8;

    /// <summary>Sessions at the AC all tunnels together may hold (see <see cref="SessionBudget"/>); null: unlimited.</summary>
    public SessionBudget? Budget { get; init; }

    /// <summary>
    /// A tunnel's PADI or PADR: false when the budget is full (dropped, counted, logged at most once a second;
    /// no PADT to anyone, so the client simply hears no offer). <paramref name="reserved"/>: a new slot was taken.
    /// </summary>
    private bool AdmitToBudget(TunnelLink link, in FrameView frame, bool isPadi, out bool reserved)
    {
        reserved = false;
        if (Budget is not { } budget || budget.TryAdmit(frame.Source, SessionTracker.VlanKey(frame), padr: !isPadi, out reserved)) return true;
        link.Counters.Drop(DropReason.SessionBudget);
        if (LogDue(BudgetLogKind))
            _limitedLog.Warning("session-budget", "session budget {Max} reached: {Code} from {Mac} via tunnel {Peer} not forwarded (--max-sessions)",
                budget.Max, PppoeCodes.Name(frame.Code, true), frame.Source, link.PeerName);
        return false;
    }

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
