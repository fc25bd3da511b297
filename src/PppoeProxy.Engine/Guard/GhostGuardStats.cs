namespace PppoeProxy.Engine.Guard;

/// <summary>What the guard did, for status and stats lines.</summary>
public sealed record GhostGuardStats(
    bool Enabled,
    bool DryRun,
    long Checked,
    long Probes,
    long GhostsEnded,
    long WouldEnd,
    long HealthyKept,
    long Held,
    long Overflow,
    long SendFailures,
    int Pending)
{
    /// <summary>The stats line's and `pppoeproxy status`'s wording: "ghost guard: 2 restart(s) checked, ...".</summary>
    public override string ToString() => Enabled
        ? $"ghost guard: {Checked} restart(s) checked, {GhostsEnded} ghost(s) ended{(DryRun ? $" ({WouldEnd} in dry run)" : "")}, {HealthyKept} live session(s) kept, {Probes} probe(s), {Overflow} unchecked (busy), {SendFailures} send failure(s)"
        : "ghost guard: off";
}
