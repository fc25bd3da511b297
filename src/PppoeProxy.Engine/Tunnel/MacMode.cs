namespace PppoeProxy.Engine.Tunnel;

public enum MacMode
{
    /// <summary>Frames keep the remote client's MAC; the AC-side interface must be promiscuous.</summary>
    Transparent,
    /// <summary>Like rp-pppoe's pppoe-relay: the AC sees only our interface MAC (works on a plain macvlan).</summary>
    Rewrite,
}
