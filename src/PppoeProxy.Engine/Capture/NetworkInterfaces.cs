using PppoeProxy.Engine.Protocol;
using System.Globalization;

namespace PppoeProxy.Engine.Capture;

/// <summary>
/// Linux interface facts read from /sys/class/net. Cheap enough to call before every open, and
/// lets us give "does not exist" / "is down" messages before libpcap gives a vaguer one.
/// </summary>
public static class NetworkInterfaces
{
    private const string SysClassNet = "/sys/class/net";
    private const int IffUp = 0x1;
    private const int MaxNameLength = 15; // IFNAMSIZ - 1

    /// <summary>Interface names present in this network namespace, sorted.</summary>
    public static IReadOnlyList<string> List()
    {
        if (!Directory.Exists(SysClassNet)) return Array.Empty<string>();
        var names = Directory.GetFileSystemEntries(SysClassNet).Select(Path.GetFileName).OfType<string>().ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public static bool Exists(string name) => IsValidName(name) && Directory.Exists(SysPath(name));

    /// <summary>True when the interface is administratively up (IFF_UP), which is what libpcap needs.</summary>
    public static bool IsUp(string name)
    {
        var flags = ReadAttribute(name, "flags");
        if (flags is null) return false;
        var hex = flags.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? flags[2..] : flags;
        return int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
            && (value & IffUp) != 0;
    }

    /// <summary>The interface MTU, or null if the interface is missing.</summary>
    public static int? GetMtu(string name) =>
        int.TryParse(ReadAttribute(name, "mtu"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var mtu) ? mtu : null;

    /// <summary>The 6-byte MAC address, or null if the interface is missing or has no Ethernet address.</summary>
    public static byte[]? GetMacBytes(string name) =>
        MacAddress.TryParse(ReadAttribute(name, "address"), out var mac) ? mac.ToBytes() : null;

    /// <summary>Every non-zero MAC of every local interface. Used to tell which side of a PPPoE session is this machine.</summary>
    public static IReadOnlySet<MacAddress> LocalMacs()
    {
        var macs = new HashSet<MacAddress>();
        foreach (var name in List())
        {
            if (MacAddress.TryParse(ReadAttribute(name, "address"), out var mac) && mac != MacAddress.Zero) macs.Add(mac);
        }
        return macs;
    }

    // Rejects names that could escape /sys/class/net or that the kernel could never have created.
    internal static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxNameLength && name != "." && name != ".."
        && name.AsSpan().IndexOfAny('/', '\0') < 0 && !name.Any(char.IsWhiteSpace);

    private static string SysPath(string name) => Path.Combine(SysClassNet, name);

    private static string? ReadAttribute(string name, string attribute)
    {
        if (!IsValidName(name)) return null;
        try
        {
            return File.ReadAllText(Path.Combine(SysPath(name), attribute)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // interface vanished between checks, or attribute unreadable
        }
    }
}
