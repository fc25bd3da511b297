using PppoeProxy.Engine.Operations;
using System.Globalization;
using System.Net;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.PowerShell.Support;

/// <summary>
/// Checks behind the cmdlets' validation attributes. Each returns null when the text is fine, or a
/// one-line message that says what a good value looks like.
/// </summary>
public static class ParameterChecks
{
    public static string? CheckMac(string? text)
    {
        // The same parser as the CLI's --client-mac/--server-mac, so both accept the same spellings.
        if (!MacAddress.TryParse(text, out var mac))
            return $"'{text}' is not a MAC address: use six hex bytes like 02:00:00:aa:bb:cc";
        if (mac.IsGroup) return $"'{text}' is a multicast/broadcast address: a PPPoE peer has a unicast MAC";
        return null;
    }

    public static MacAddress ParseMac(string text) =>
        MacAddress.TryParse(text, out var mac) ? mac : throw new ArgumentException(CheckMac(text));

    public static string? CheckCidrList(string? text) =>
        CidrAllowList.TryParse(text, out _) ? null
            : $"'{text}' is not a list of CIDRs: use e.g. 192.0.2.0/24,2001:db8::/32";

    /// <summary>HOST:PORT; IPv6 in brackets ([::1]:4789).</summary>
    public static string? CheckEndpoint(string? text) => TrySplitEndpoint(text ?? "", out _, out _, out var error) ? null : error;

    /// <summary>A listen endpoint: an IP address (or '*' / empty for all addresses) and a port.</summary>
    public static string? CheckListenEndpoint(string? text) => Endpoints.TryParseListen(text ?? "", out _, out var error) ? null : error;

    public static bool TrySplitEndpoint(string text, out string host, out int port, out string error) =>
        Endpoints.TrySplit(text, out host, out port, out error);

    /// <summary>N or START:RATE:FULL, as the CLI's --max-handshakes takes it.</summary>
    public static string? CheckHandshakeLimit(string? text) =>
        Engine.Tunnel.Limits.HandshakeLimit.TryParse(text, out _, out var problem) ? null : problem;

    /// <summary>auto, off or an MSS, as the CLI's --clamp-mss takes it.</summary>
    public static string? CheckClampMss(string? text) =>
        Engine.Tunnel.MssClampSetting.TryParse(text, out _, out var problem) ? null : problem;

    public static string? CheckFingerprint(string? text) =>
        Fingerprint.TryParse(text, out _) ? null
            : $"'{text}' is not a SHA-256 certificate fingerprint (64 hex digits, colons allowed), as New-PppoeProxyCertificate prints";
}
