using System.Net;

namespace PppoeProxy.Engine.Operations;

/// <summary>host:port parsing with clear one-line errors; IPv6 in brackets ([::1]:9000). Shared by the CLI and the cmdlets.</summary>
public static class Endpoints
{
    public static bool TryParseListen(string text, out IPEndPoint endpoint, out string error)
    {
        endpoint = null!;
        // Port 0 asks the kernel for a free port (tests, and status then shows the one bound).
        if (!TrySplit(text, out var host, out int port, out error, allowPortZero: true)) return false;
        if (host.Length == 0 || host == "*") { endpoint = new IPEndPoint(IPAddress.IPv6Any, port); return true; }
        if (!IPAddress.TryParse(host, out var address))
        {
            error = $"'{text}': listen address must be an IP address (e.g. 127.0.0.1:4789 or [::1]:4789)";
            return false;
        }
        endpoint = new IPEndPoint(address, port);
        return true;
    }

    public static bool TrySplit(string text, out string host, out int port, out string error, bool allowPortZero = false)
    {
        host = "";
        port = 0;
        error = "";
        int colon = text.LastIndexOf(':');
        if (colon < 0 || (text.StartsWith('[') && !text[..colon].EndsWith(']')) || (!text.StartsWith('[') && text.IndexOf(':') != colon))
        {
            error = $"'{text}' is not HOST:PORT (IPv6 in brackets: [::1]:4789)";
            return false;
        }
        host = text[..colon].Trim('[', ']');
        if (!int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port > 65535 || (port < 1 && !allowPortZero))
        {
            error = allowPortZero ? $"'{text}': port must be 0..65535 (0 picks a free port)" : $"'{text}': port must be 1..65535";
            return false;
        }
        return true;
    }
}
