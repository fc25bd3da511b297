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
    public static string? CheckListenEndpoint(string? text) => TryParseListen(text ?? "", out _, out var error) ? null : error;

    public static bool TrySplitEndpoint(string text, out string host, out int port, out string error) =>
        Endpoints.TrySplit(text, out host, out port, out error);

    /// <summary>Like the CLI's listen parsing, but port 0 is allowed: the system picks a free port (the job's Endpoint shows it).</summary>
    public static bool TryParseListen(string text, out IPEndPoint endpoint, out string error)
    {
        if (text.EndsWith(":0", StringComparison.Ordinal) && Endpoints.TryParseListen(text[..^1] + "1", out endpoint, out error))
        {
            endpoint = new IPEndPoint(endpoint.Address, 0);
            return true;
        }
        if (Endpoints.TryParseListen(text, out endpoint, out error)) return true;
        // The engine's range is the CLI's; here 0 is allowed too, so say so.
        error = error.Replace("port must be 1..65535", "port must be 0..65535 (0 picks a free port)", StringComparison.Ordinal);
        return false;
    }

    public static string? CheckFingerprint(string? text) =>
        Fingerprint.TryParse(text, out _) ? null
            : $"'{text}' is not a SHA-256 certificate fingerprint (64 hex digits, colons allowed), as New-PppoeProxyCertificate prints";
}
