using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.PowerShell;

/// <summary>
/// A proxy job's traffic totals: the end's own counters plus every tunnel's. The engine counts
/// frames per tunnel and only drops at the end itself, so its end-level counters alone read 0
/// while traffic flows. Drops are text ("0" or "reason=n ..."), so Export-Csv stays readable.
/// </summary>
public sealed class ProxyStatistics
{
    public ProxyStatistics(ProxyStatus status)
    {
        var all = status.Peers.Select(p => p.Counters).Prepend(status.Counters).ToList();
        FramesToTunnel = all.Sum(c => c.FramesToTunnel);
        BytesToTunnel = all.Sum(c => c.BytesToTunnel);
        FramesFromTunnel = all.Sum(c => c.FramesFromTunnel);
        BytesFromTunnel = all.Sum(c => c.BytesFromTunnel);
        var drops = all.SelectMany(c => c.Drops).GroupBy(d => d.Key).ToDictionary(g => g.Key, g => g.Sum(d => d.Value));
        TotalDrops = drops.Values.Sum();
        Drops = drops.Count == 0 ? "0" : string.Join(" ", drops.OrderBy(d => d.Key).Select(d => $"{d.Key}={d.Value}"));
    }

    public long FramesToTunnel { get; }
    public long BytesToTunnel { get; }
    public long FramesFromTunnel { get; }
    public long BytesFromTunnel { get; }
    public long TotalDrops { get; }
    /// <summary>Drops by reason, e.g. "queue-full=3 ring=2"; "0" when none.</summary>
    public string Drops { get; }

    public override string ToString() =>
        $"to-tunnel {FramesToTunnel} frames/{BytesToTunnel} B, from-tunnel {FramesFromTunnel} frames/{BytesFromTunnel} B, drops {Drops}";
}
