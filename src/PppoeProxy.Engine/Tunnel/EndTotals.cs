namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// An end's totals over all its tunnels, past and present: a closed link's counters are folded into
/// <see cref="Retired"/> when it closes, so status and the final stats line still count its frames.
/// </summary>
internal sealed class EndTotals
{
    private readonly object _gate = new();
    private readonly TunnelCounters _retired = new();
    private readonly Dictionary<long, TunnelLink> _live = new();

    public void Track(TunnelLink link)
    {
        lock (_gate) _live[link.Id] = link;
    }

    /// <summary>Folds a closed link's counters in; a second call for the same link does nothing.</summary>
    public void Retire(TunnelLink link)
    {
        lock (_gate)
        {
            if (_live.Remove(link.Id)) _retired.Absorb(link.Counters);
        }
    }

    /// <summary>End-level counts (drops that belong to no tunnel) plus every tunnel's, live and closed.</summary>
    public TunnelCountersSnapshot Snapshot(TunnelCounters endLevel)
    {
        lock (_gate)
            return TunnelCountersSnapshot.Sum(_live.Values.Select(l => l.Counters.Snapshot())
                .Append(_retired.Snapshot()).Append(endLevel.Snapshot()));
    }
}
