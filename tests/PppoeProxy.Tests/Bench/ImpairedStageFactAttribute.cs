using PppoeProxy.Tests.Integration;
using Xunit;

namespace PppoeProxy.Tests.Bench;

/// <summary>
/// A [Fact] for the impaired-path bench's WAN stage: Linux, root (namespaces, AF_PACKET), gcc to
/// compile the stage, nft for the loss and ethtool for the offloads. Skipped with the reason elsewhere.
/// </summary>
public sealed class ImpairedStageFactAttribute : FactAttribute
{
    public ImpairedStageFactAttribute()
    {
        var reason = SkipReason();
        if (reason is not null) Skip = reason;
    }

    private static string? SkipReason()
    {
        if (!OperatingSystem.IsLinux()) return "needs Linux network namespaces";
        if (!LabEnvironment.IsRoot()) return "needs root for network namespaces (run as root, as CI does)";
        foreach (var tool in new[] { "gcc", "nft", "ethtool" })
        {
            var found = new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin" }.Any(d => File.Exists(Path.Combine(d, tool)));
            if (!found) return $"needs {tool} (apt-get install gcc nftables ethtool; scripts/install-deps.sh does)";
        }
        return null;
    }
}
