using System.Runtime.InteropServices;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// A [Fact] that only runs where the netns lab can: Linux, root (network namespaces),
/// and rp-pppoe installed. Elsewhere it is skipped with the reason, not failed.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        var reason = LabEnvironment.SkipReason();
        if (reason is not null) Skip = reason;
    }
}

public static class LabEnvironment
{
    [DllImport("libc.so.6", SetLastError = false)]
    private static extern uint geteuid();

    public static bool IsRoot()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return geteuid() == 0; }
        catch (DllNotFoundException) { return Environment.UserName == "root"; }
        catch (EntryPointNotFoundException) { return Environment.UserName == "root"; }
    }

    /// <summary>Null when the lab can run, else why not.</summary>
    public static string? SkipReason()
    {
        if (!OperatingSystem.IsLinux()) return "needs Linux network namespaces";
        if (!IsRoot()) return "needs root for network namespaces (run as root, as CI does)";
        if (!File.Exists("/usr/sbin/pppoe-server") || !File.Exists("/usr/sbin/pppoe"))
            return "needs rp-pppoe (/usr/sbin/pppoe-server, /usr/sbin/pppoe): apt-get install pppoe";
        if (!File.Exists("/usr/bin/python3")) return "needs /usr/bin/python3 for tests/lab/ppp-peer.py";
        return null;
    }
}
