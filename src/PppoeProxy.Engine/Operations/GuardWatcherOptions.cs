using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Engine.Operations;

/// <summary>What `pppoeproxy guard` and Start-PppoeGuard configure; the tunnel settings it inherits are unused.</summary>
public sealed record GuardWatcherOptions : ProxyEndOptions
{
    /// <summary>Decide and log as usual, but send no PADT and re-send no PADI (the probes still go out: the verdicts depend on them).</summary>
    public bool DryRun { get; init; }

    /// <summary>From the values as typed (CLI and cmdlet), checked like the proxy ends' (<see cref="ProxyOptionsBuilder"/>).</summary>
    public static GuardWatcherOptions From(string? interfaceName, string? stats, bool dryRun)
    {
        if (string.IsNullOrWhiteSpace(interfaceName)) throw new ProxyOptionsException("interface", "a value is required");
        TimeSpan? every = null;
        if (stats is not null)
            every = ProxyOptionsBuilder.TryParseSeconds(stats, out var value, out var problem) ? value : throw new ProxyOptionsException("stats", problem);
        return new GuardWatcherOptions { Interface = interfaceName, StatsInterval = every, DryRun = dryRun };
    }
}
