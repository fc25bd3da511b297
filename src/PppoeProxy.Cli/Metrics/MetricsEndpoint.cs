using System.Globalization;
using System.Net;
using Prometheus;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Cli.Metrics;

/// <summary>`--metrics ADDR:PORT`: an HTTP endpoint serving <see cref="ProxyMetrics"/> at /metrics in Prometheus text format.</summary>
public sealed class MetricsEndpoint : IDisposable
{
    public const string Flag = "--metrics";
    private readonly IMetricServer _server;

    private MetricsEndpoint(IMetricServer server, string url)
    {
        _server = server;
        Url = url;
    }

    /// <summary>Where a scraper reads, e.g. http://127.0.0.1:9464/metrics.</summary>
    public string Url { get; }

    /// <summary>
    /// A bare port means loopback only: counters name peers and sessions, so exposing them beyond
    /// the host must be asked for with an address ("*" for every address).
    /// </summary>
    public static bool TryParse(string text, out string host, out int port, out string problem)
    {
        host = "127.0.0.1";
        problem = "";
        text = text.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535) return true;
        if (!text.Contains(':'))
        {
            problem = $"'{text}' is not PORT or ADDR:PORT (port 1..65535)";
            return false;
        }
        if (!Endpoints.TrySplit(text, out var address, out port, out problem)) return false;
        // HttpListener's managed (Linux) prefix parser takes "+" for every address but neither 0.0.0.0 nor an IPv6 literal.
        if (address is "*" or "0.0.0.0") { host = "+"; return true; }
        if (!IPAddress.TryParse(address, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            problem = $"'{text}': the address must be an IPv4 address, or * for every address (e.g. 127.0.0.1:9464, *:9464)";
            return false;
        }
        host = ip.ToString();
        return true;
    }

    /// <summary>Serves the metrics of <paramref name="status"/>; an address that cannot be bound is an IOException (a runtime failure).</summary>
    public static MetricsEndpoint Start(string host, int port, Func<ProxyStatus?> status)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new ProxyMetrics(status, registry);
        var server = new MetricServer(host, port, "metrics/", registry);
        try { server.Start(); }
        catch (HttpListenerException e)
        {
            server.Dispose();
            throw new IOException($"{Flag}: cannot listen on {host}:{port}: {e.Message}", e);
        }
        return new MetricsEndpoint(server, $"http://{(host == "+" ? "*" : host)}:{port}/metrics");
    }

    public void Dispose() => _server.Dispose();
}
