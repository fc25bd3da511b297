using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.PowerShell;

/// <summary>
/// A proxy job's traffic totals, as `pppoeproxy status` shows them: the engine's status counters
/// already sum every tunnel, past and present, and the end's own drops. Drops are text ("0" or
/// "reason=n ..."), so Export-Csv stays readable.
/// </summary>
public sealed class ProxyStatistics
{
    public ProxyStatistics(ProxyStatus status)
    {
        var totals = status.Counters;
        FramesToTunnel = totals.FramesToTunnel;
        BytesToTunnel = totals.BytesToTunnel;
        FramesFromTunnel = totals.FramesFromTunnel;
        BytesFromTunnel = totals.BytesFromTunnel;
        var drops = totals.Drops;
        TotalDrops = drops.Values.Sum();
        Drops = drops.Count == 0 ? "0" : string.Join(" ", drops.OrderBy(d => d.Key).Select(d => $"{d.Key}={d.Value}"));
        GhostGuard = status.Guard is not { Enabled: true } guard ? "Off" : guard.DryRun ? "DryRun" : "On";
        GhostsEnded = status.Guard?.GhostsEnded ?? 0;
        GhostChecks = status.Guard?.Checked ?? 0;
        MssClamp = status.MssClamp;
    }

    public long FramesToTunnel { get; }
    public long BytesToTunnel { get; }
    public long FramesFromTunnel { get; }
    public long BytesFromTunnel { get; }
    public long TotalDrops { get; }
    /// <summary>Drops by reason, e.g. "queue-full=3 ring=2"; "0" when none.</summary>
    public string Drops { get; }
    /// <summary>On, Off or DryRun: the ghost guard of this end.</summary>
    public string GhostGuard { get; }
    /// <summary>Ghost sessions the guard ended with a PADT.</summary>
    public long GhostsEnded { get; }
    /// <summary>Client restarts the guard judged (ended or kept).</summary>
    public long GhostChecks { get; }
    /// <summary>-ClampMss: the setting and its counts (SYNs clamped, left alone, IP packets not checked).</summary>
    public MssClampStatus MssClamp { get; }

    public override string ToString() =>
        $"to-tunnel {FramesToTunnel} frames/{BytesToTunnel} B, from-tunnel {FramesFromTunnel} frames/{BytesFromTunnel} B, drops {Drops}";
}
