using PppoeProxy.Engine.Capture;

namespace PppoeProxy.PowerShell.Support;

/// <summary>The -Interface completions: names under /sys/class/net that start with what was typed.</summary>
public static class InterfaceNames
{
    public static IReadOnlyList<string> Complete(string? wordToComplete) => Complete(wordToComplete, NetworkInterfaces.List());

    public static IReadOnlyList<string> Complete(string? wordToComplete, IEnumerable<string> names)
    {
        // The user may have typed a quote already; match on the bare text.
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return names.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
    }
}
