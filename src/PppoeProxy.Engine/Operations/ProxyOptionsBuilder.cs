using System.Globalization;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Limits;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.Engine.Operations;

/// <summary>
/// The one place that turns what a user typed into <see cref="ServerOptions"/> or
/// <see cref="ClientOptions"/> (whose records hold the defaults, once). Every unacceptable value is a
/// <see cref="ProxyOptionsException"/> naming the setting (a usage error); only reading the
/// certificate files can fail later (a <see cref="TunnelConfigException"/>, a runtime error).
/// </summary>
public static class ProxyOptionsBuilder
{
    /// <summary>A year: more is a typo, and far more overflows TimeSpan.</summary>
    public const double MaxSeconds = 365 * 24 * 3600;

    public static ServerOptions Server(ProxySettings typed)
    {
        var listenText = Required(typed.Listen, "listen");
        if (!Endpoints.TryParseListen(listenText, out var listen, out var listenError)) throw new ProxyOptionsException("listen", listenError);
        var allow = CidrAllowList.LoopbackOnly;
        if (typed.Allow is { Count: > 0 } cidrs)
        {
            var text = string.Join(',', cidrs);
            if (!CidrAllowList.TryParse(text, out var parsed) || parsed is null)
                throw new ProxyOptionsException("allow", $"'{text}' is not a list of CIDRs (e.g. 192.0.2.0/24,2001:db8::/32)");
            allow = parsed;
        }
        var macMode = MacMode.Transparent;
        if (typed.MacMode is { } modeText && !Enum.TryParse(modeText, ignoreCase: true, out macMode) || !Enum.IsDefined(macMode))
            throw new ProxyOptionsException("mac-mode", $"'{typed.MacMode}' is not transparent or rewrite");
        var server = new ServerOptions { Interface = Required(typed.Interface, "interface"), Listen = listen, Allow = allow, MacMode = macMode };
        server = server with
        {
            MaxSessionsPerTunnel = Count(typed.MaxSessionsPerTunnel, "max-sessions-per-tunnel") ?? ServerOptions.DefaultMaxSessionsPerTunnel,
            MaxTrackedSessions = Count(typed.MaxTrackedSessions, "max-tracked-sessions") ?? ProxyEndOptions.DefaultMaxTrackedSessions,
            MaxSessions = Count(typed.MaxSessions, "max-sessions"),
        };
        return WithShared(WithLimits(server, typed), typed);
    }

    /// <summary>Most a count limit (sessions, tunnels, handshakes) may be: more is a typo, and memory no home server has.</summary>
    public const int MaxCount = 1_000_000;

    private static ServerOptions WithLimits(ServerOptions options, ProxySettings typed)
    {
        var handshakes = options.MaxHandshakes;
        if (typed.MaxHandshakes is { } text && !HandshakeLimit.TryParse(text, out handshakes, out var problem))
            throw new ProxyOptionsException("max-handshakes", problem);
        return options with
        {
            MaxTunnels = Count(typed.MaxTunnels, "max-tunnels") ?? options.MaxTunnels,
            MaxTunnelsPerSource = Count(typed.MaxTunnelsPerSource, "max-tunnels-per-source") ?? options.MaxTunnelsPerSource,
            MaxHandshakes = handshakes,
            MaxHandshakesPerSource = Count(typed.MaxHandshakesPerSource, "max-handshakes-per-source") ?? options.MaxHandshakesPerSource,
        };
    }

    /// <summary>A whole number from 1 to <see cref="MaxCount"/>, invariant culture.</summary>
    public static bool TryParseCount(string? text, out int value, out string problem)
    {
        problem = "";
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && value <= MaxCount) return true;
        problem = $"'{text}' is not a whole number from 1 to {MaxCount}";
        return false;
    }

    private static int? Count(string? text, string option)
    {
        if (text is null) return null;
        return TryParseCount(text, out var value, out var problem) ? value : throw new ProxyOptionsException(option, problem);
    }

    public static ClientOptions Client(ProxySettings typed)
    {
        var serverText = Required(typed.Server, "server");
        if (!Endpoints.TrySplit(serverText, out var host, out int port, out var serverError)) throw new ProxyOptionsException("server", serverError);
        var keepAlive = Seconds(typed.KeepAlive, "keepalive")
            ?? (TransportOf(typed) == TunnelTransportKind.Udp ? ClientOptions.DefaultUdpKeepAlive : ClientOptions.DefaultKeepAlive);
        var rekey = Seconds(typed.Rekey, "rekey") ?? ClientOptions.DefaultRekeyInterval;
        if (typed.Rekey is not null && TransportOf(typed) != TunnelTransportKind.Udp)
            throw new ProxyOptionsException("rekey", "renews DTLS keys: it needs {transport} udp (TLS 1.3 renews its own)");
        return WithShared(new ClientOptions
        {
            Interface = Required(typed.Interface, "interface"), ServerHost = host, ServerPort = port, KeepAlive = keepAlive, RekeyInterval = rekey,
        }, typed);
    }

    // Last, after the end's own checks: only the certificate files are read here, and every usage error must come first.
    private static T WithShared<T>(T options, ProxySettings typed) where T : ProxyEndOptions
    {
        var grace = Seconds(typed.Grace, "grace", allowZero: true) ?? ProxyEndOptions.DefaultGrace;
        var stats = Seconds(typed.Stats, "stats");
        var guard = OnOff(typed.GhostGuard, "ghost-guard") is false ? new Guard.GhostGuardOptions { Enabled = false } : options.GhostGuard;
        var clampMss = DefaultClampMss(typed);
        if (typed.ClampMss is { } clampText && !MssClampSetting.TryParse(clampText, out clampMss, out var clampProblem))
            throw new ProxyOptionsException("clamp-mss", clampProblem);
        // A record's copy keeps its runtime type: the cast only restores what the compiler forgot.
        var transport = TransportOf(typed);
        return (T)(options with { Mode = typed.Mode, Transport = transport, Grace = grace, StatsInterval = stats, GhostGuard = guard, ClampMss = clampMss, Security = Security(typed) });
    }

    /// <summary>tcp (the default) or udp; the Go-compatible legacy protocol is TCP only.</summary>
    public static TunnelTransportKind TransportOf(ProxySettings typed)
    {
        var transport = TunnelTransportKind.Tcp;
        if (typed.Transport is { } text && (!Enum.TryParse(text, ignoreCase: true, out transport) || !Enum.IsDefined(transport) || text.Trim() != text || char.IsDigit(text.FirstOrDefault())))
            throw new ProxyOptionsException("transport", $"'{text}' is not tcp or udp");
        if (transport == TunnelTransportKind.Udp && typed.Mode == TunnelMode.Legacy)
            throw new ProxyOptionsException("transport", "the legacy Go protocol runs over TCP only");
        return transport;
    }

    /// <summary>"on" or "off" (any case); null when not given.</summary>
    public static bool TryParseOnOff(string? text, out bool value)
    {
        value = string.Equals(text, "on", StringComparison.OrdinalIgnoreCase);
        return value || string.Equals(text, "off", StringComparison.OrdinalIgnoreCase);
    }

    private static bool? OnOff(string? text, string option)
    {
        if (text is null) return null;
        return TryParseOnOff(text, out var value) ? value : throw new ProxyOptionsException(option, $"'{text}' is not on or off");
    }

    /// <summary>
    /// The MSS clamp when none is given, for both ends: the one place to change it. Off over the TCP (TLS or
    /// plain) tunnel, which carries any frame size, so the PPPoE client's own clamp (or PMTU discovery) is
    /// all a session needs; over UDP, whose datagrams must fit the path, auto (full-size frames are split in two
    /// datagrams otherwise). A bad --transport is reported by its own check, not here.
    /// </summary>
    public static MssClampSetting DefaultClampMss(ProxySettings typed) =>
        string.Equals(typed.Transport, "udp", StringComparison.OrdinalIgnoreCase) ? MssClampSetting.Auto : MssClampSetting.Off;

    /// <summary>A positive, finite number of seconds (fractions allowed, invariant culture) up to <see cref="MaxSeconds"/>.</summary>
    /// <param name="allowZero">For a grace period, 0 means "end held sessions at once".</param>
    public static bool TryParseSeconds(string? text, out TimeSpan value, out string problem, bool allowZero = false)
    {
        value = default;
        problem = "";
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            && double.IsFinite(seconds) && (seconds > 0 || (allowZero && seconds == 0)) && seconds <= MaxSeconds)
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }
        problem = $"'{text}' is not a {(allowZero ? "non-negative" : "positive")} number of seconds (at most {MaxSeconds:0})";
        return false;
    }

    private static TimeSpan? Seconds(string? text, string option, bool allowZero = false)
    {
        if (text is null) return null;
        return TryParseSeconds(text, out var value, out var problem, allowZero) ? value : throw new ProxyOptionsException(option, problem);
    }

    private static string Required(string? text, string option) =>
        string.IsNullOrWhiteSpace(text) ? throw new ProxyOptionsException(option, "a value is required") : text;

    /// <summary>
    /// The TLS-or-plain-text rule alone, reading no file, for a front end that checks before it
    /// starts anything (the cmdlets' BeginProcessing): Option is "insecure" for TLS settings with
    /// plain text, "cert" for missing TLS settings.
    /// </summary>
    public static void CheckSecurity(ProxySettings typed)
    {
        bool anyTls = typed.Certificate is not null || typed.Key is not null || typed.Trust is { Count: > 0 };
        if (typed.Mode == TunnelMode.Legacy || typed.Insecure)
        {
            if (anyTls) throw new ProxyOptionsException("insecure", "{insecure} excludes {cert}, {key} and {trust}");
            return;
        }
        var missing = new[] { ("cert", typed.Certificate is null), ("key", typed.Key is null), ("trust", typed.Trust is not { Count: > 0 }) }
            .Where(m => m.Item2).Select(m => "{" + m.Item1 + "}").ToList();
        if (missing.Count > 0)
            throw new ProxyOptionsException("cert", $"TLS needs {{cert}} FILE {{key}} FILE {{trust}} FP (or {{insecure}} for plain text); missing {string.Join(", ", missing)}");
    }

    // Legacy mode is plain text by definition; TLS needs all three of certificate, key and pins.
    private static TunnelSecurity? Security(ProxySettings typed)
    {
        CheckSecurity(typed);
        if (typed.Mode == TunnelMode.Legacy || typed.Insecure) return null;
        var pins = new List<string>();
        foreach (var text in typed.Trust!.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Fingerprint.TryParse(text, out var pin)) throw new ProxyOptionsException("trust", $"'{text}' is not a SHA-256 fingerprint (64 hex digits)");
            pins.Add(pin);
        }
        if (pins.Count == 0) throw new ProxyOptionsException("trust", "no fingerprint given");
        return TunnelSecurity.Load(typed.Certificate!, typed.Key!, pins); // CheckSecurity made sure all three are given
    }
}
