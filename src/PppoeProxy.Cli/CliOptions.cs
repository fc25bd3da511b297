using System.CommandLine;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Cli;

/// <summary>Options several commands share, with validation that gives one clear line.</summary>
public static class CliOptions
{
    public static Option<string> Interface(bool required) => new("--interface", "-i")
    {
        Description = "Network interface, e.g. eth0",
        Required = required,
        HelpName = "IF",
    };

    public static Option<double?> Timeout(string description) => Seconds("--timeout", description, "-t");

    /// <summary>A positive number of seconds (fractions allowed), checked as the engine checks every duration.</summary>
    public static Option<double?> Seconds(string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = "S",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (ProxyOptionsBuilder.TryParseSeconds(text, out var value, out var problem)) return value.TotalSeconds;
            r.AddError($"{name}: {problem}");
            return null;
        },
    };

    /// <summary>Seconds as typed: the engine's options builder checks them (server and client).</summary>
    public static Option<string?> SecondsText(string name, string description) => new(name) { Description = description, HelpName = "S" };

    public static Option<bool> Json() => new("--json") { Description = "Write JSON Lines (one object per line, camelCase)" };

    public static Option<bool> Yes() => new("--yes", "-y") { Description = "Send without asking for confirmation" };

    public static Option<string?> ReadFile() => new("--read", "-r")
    {
        Description = "Read a pcap or pcapng file instead of a live interface",
        HelpName = "FILE",
    };

    public static Option<MacAddress> Mac(string name, string description) => new(name)
    {
        Description = description,
        Required = true,
        HelpName = "MAC",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (MacAddress.TryParse(text, out var mac)) return mac;
            r.AddError($"{name}: '{text}' is not a MAC address (expected aa:bb:cc:dd:ee:ff)");
            return default;
        },
    };

    public static Option<int> SessionId() => new("--session-id", "-s")
    {
        Description = "PPPoE session id, 1..65534",
        Required = true,
        HelpName = "N",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (TryParseSessionId(text, out int id)) return id;
            r.AddError($"--session-id: '{text}' is not a session id (1..65534, decimal or 0x hex)");
            return 0;
        },
    };

    public static bool TryParseSessionId(string text, out int id)
    {
        text = text.Trim();
        bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text[2..], System.Globalization.NumberStyles.HexNumber, null, out id)
            : int.TryParse(text, out id);
        return ok && id is >= 1 and <= 0xFFFE;
    }

    public static Option<int[]> Vlans() => new("--vlan")
    {
        Description = "VLAN id, or OUTER,INNER for QinQ (802.1ad outer, 802.1Q inner)",
        HelpName = "ID[,ID]",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            var parts = text.Split(',', StringSplitOptions.TrimEntries);
            var ids = new List<int>();
            foreach (var part in parts)
            {
                if (!int.TryParse(part, out int id) || id is < 0 or > 4094)
                {
                    r.AddError($"--vlan: '{part}' is not a VLAN id (0..4094)");
                    return Array.Empty<int>();
                }
                ids.Add(id);
            }
            if (ids.Count > 2) r.AddError("--vlan: at most two ids (OUTER,INNER)");
            return ids.ToArray();
        },
    };

    public static Option<string?> Message() => new("--message", "-m")
    {
        Description = "Text for a Generic-Error tag in the PADT (the AC may log it)",
        HelpName = "TEXT",
    };

    public static Option<bool> LcpTerminate() => new("--lcp-terminate")
    {
        Description = "Send an LCP Terminate-Request before the PADT",
    };

    public static TimeSpan? Seconds(double? value) => value is double v ? TimeSpan.FromSeconds(v) : null;
}
