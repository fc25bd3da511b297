namespace PppoeProxy.Engine.Operations;

/// <summary>The neutral names <see cref="ProxyOptionsException"/> uses; the CLI's flags are these with "--".</summary>
public static class ProxySettingNames
{
    public static readonly IReadOnlyList<string> All = new[]
    {
        "interface", "listen", "server", "allow", "mac-mode", "cert", "key", "trust", "insecure", "grace", "stats", "keepalive",
        "max-sessions-per-tunnel", "max-tracked-sessions",
        // issue 13, session budget
        "max-sessions",
        // issue 12, limits
        "max-tunnels", "max-tunnels-per-source", "max-handshakes", "max-handshakes-per-source",
        // issue 13
        "ghost-guard",
        // issue 14
        "clamp-mss",
        // issue 14, UDP
        "transport", "rekey",
    };
}
