// TEMPORARY stub of the lead's GhostGuard API (brief); deleted when main has the real one.
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Guard;

public sealed class GhostGuardOptions
{
    public bool Enabled { get; init; } = true;
    public bool DryRun { get; init; }
    public TimeSpan ProbeWindow { get; init; } = TimeSpan.FromSeconds(1);
    public int MaxPending { get; init; } = 64;
}

public interface IGuardActions
{
    string? SendTowardAc(ReadOnlySpan<byte> frame);
    string? SendTowardClient(ReadOnlySpan<byte> frame);
    void Release(ReadOnlySpan<byte> heldDiscovery);
}

public enum GuardVerdict { Forward, Held }

public sealed record GhostGuardStats(long Probes, long GhostsEnded, long HealthyKept, long WouldEnd);

public sealed class GhostGuard
{
    public GhostGuard(SessionTracker tracker, GhostGuardOptions options, IGuardActions actions, ILogger log, RateLimitedLog limitedLog) { }
    public GuardVerdict OnDiscovery(in FrameView frame, DateTimeOffset now, bool canHold) => GuardVerdict.Forward;
    public void Poll(DateTimeOffset now) { }
    public GhostGuardStats Stats => new(0, 0, 0, 0);
}
