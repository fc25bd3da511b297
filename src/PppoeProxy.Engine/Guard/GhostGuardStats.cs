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
    int Pending);
