using Prometheus;
using PppoeProxy.Cli.Metrics;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Cli;

/// <summary>The metrics are the status, read at scrape time, with per-tunnel series bounded.</summary>
public sealed class ProxyMetricsTests
{
    private static TunnelCountersSnapshot Counters(long to, long from, params (string Reason, long Count)[] drops) =>
        new(to, to * 100, from, from * 90, drops.ToDictionary(d => d.Reason, d => d.Count));

    private static PeerStatus Peer(int id, long frames, bool connected = true) =>
        new(id, $"192.0.2.{id}:4000", null, DateTimeOffset.UnixEpoch, connected, Counters(frames, frames / 2), Array.Empty<string>());

    private static ProxyStatus Status(IReadOnlyList<PeerStatus> peers, TunnelCountersSnapshot totals) =>
        new("server", "eth0", "0.0.0.0:4789", "plain text", "transparent", peers, Array.Empty<PppoeSession>(), totals, new[] { "aa:bb:cc:dd:ee:01" });

    private static Dictionary<string, double> Scrape(CollectorRegistry registry)
    {
        using var text = new MemoryStream();
        registry.CollectAndExportAsTextAsync(text).GetAwaiter().GetResult();
        return PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(text.ToArray()));
    }

    [Fact]
    public void TotalsDropsAndGaugesAreTheStatusValuesAtScrapeTime()
    {
        var status = Status(new[] { Peer(1, 10), Peer(2, 5, connected: false) }, Counters(1234, 567, ("Malformed", 7), ("CaptureOverflow", 3)));
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new ProxyMetrics(() => status, registry);
        var m = Scrape(registry);
        Assert.Equal(1234, m["pppoeproxy_frames_total{direction=\"to_tunnel\"}"]);
        Assert.Equal(567, m["pppoeproxy_frames_total{direction=\"from_tunnel\"}"]);
        Assert.Equal(123400, m["pppoeproxy_bytes_total{direction=\"to_tunnel\"}"]);
        Assert.Equal(51030, m["pppoeproxy_bytes_total{direction=\"from_tunnel\"}"]);
        Assert.Equal(7, m["pppoeproxy_drops_total{reason=\"Malformed\"}"]);
        Assert.Equal(0, m["pppoeproxy_drops_total{reason=\"QueueFull\"}"]); // present before its first drop
        Assert.Equal(3, m["pppoeproxy_capture_overflow_total"]);
        Assert.Equal(1, m["pppoeproxy_tunnels"]); // the disconnected one is not counted
        Assert.Equal(1, m["pppoeproxy_held_clients"]);

        status = Status(Array.Empty<PeerStatus>(), Counters(2000, 600, ("Malformed", 9)));
        m = Scrape(registry); // read again at the next scrape
        Assert.Equal(2000, m["pppoeproxy_frames_total{direction=\"to_tunnel\"}"]);
        Assert.Equal(9, m["pppoeproxy_drops_total{reason=\"Malformed\"}"]);
        Assert.Equal(0, m["pppoeproxy_tunnels"]);
        Assert.Empty(m.Series("pppoeproxy_tunnel_frames")); // the tunnel went, so did its series
    }

    [Fact]
    public void RefusedConnectionsAreCountedByCause()
    {
        var status = Status(Array.Empty<PeerStatus>(), Counters(0, 0)) with
        {
            Refusals = new Dictionary<string, long> { ["refused-tunnels"] = 968, ["refused-allow-list"] = 2 },
        };
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new ProxyMetrics(() => status, registry);
        var m = Scrape(registry);
        Assert.Equal(968, m["pppoeproxy_refused_connections_total{cause=\"refused-tunnels\"}"]);
        Assert.Equal(2, m["pppoeproxy_refused_connections_total{cause=\"refused-allow-list\"}"]);
    }

    [Fact]
    public void MssClampCountsAreOneSeriesByResult()
    {
        var status = Status(Array.Empty<PeerStatus>(), Counters(0, 0)) with { MssClamp = new MssClampStatus("auto", 12, 3, 2, 1) };
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new ProxyMetrics(() => status, registry);
        var m = Scrape(registry);
        Assert.Equal(12, m["pppoeproxy_mss_clamp_total{result=\"clamped\"}"]);
        Assert.Equal(3, m["pppoeproxy_mss_clamp_total{result=\"already_small\"}"]);
        Assert.Equal(2, m["pppoeproxy_mss_clamp_total{result=\"no_mss_option\"}"]);
        Assert.Equal(1, m["pppoeproxy_mss_clamp_total{result=\"unchecked\"}"]);
    }

    [Fact]
    public void PerTunnelSeriesAreTheBusiestPlusOneOther()
    {
        var peers = Enumerable.Range(1, 500).Select(i => Peer(i, i)).ToList();
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new ProxyMetrics(() => Status(peers, Counters(0, 0)), registry);
        var m = Scrape(registry);
        var tunnels = m.Series("pppoeproxy_tunnel_frames").Where(k => k.Contains("direction=\"to_tunnel\"")).ToList();
        Assert.Equal(ProxyMetrics.TopTunnels + 1, tunnels.Count);
        Assert.Equal(500, m["pppoeproxy_tunnel_frames{tunnel=\"192.0.2.500:4000#500\",direction=\"to_tunnel\"}"]);
        Assert.DoesNotContain(tunnels, k => k.Contains("192.0.2.1:4000#1\""));
        // The rest add up to the sum of frames 1..490.
        Assert.Equal(490 * 491 / 2, m[$"pppoeproxy_tunnel_frames{{tunnel=\"{ProxyMetrics.OtherTunnels}\",direction=\"to_tunnel\"}}"]);
    }

    [Fact]
    public void NothingIsShownBeforeTheEndHasStarted()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new ProxyMetrics(() => null, registry);
        Assert.Empty(Scrape(registry).Series("pppoeproxy_tunnels"));
    }

    [Theory]
    [InlineData("9464", "127.0.0.1", 9464)] // a bare port is loopback only
    [InlineData("192.0.2.7:9464", "192.0.2.7", 9464)]
    [InlineData("0.0.0.0:9464", "+", 9464)]
    [InlineData("*:9464", "+", 9464)]
    public void AnAddressParsesToWhereTheServerListens(string text, string host, int port)
    {
        Assert.True(MetricsEndpoint.TryParse(text, out var parsedHost, out int parsedPort, out var problem), problem);
        Assert.Equal((host, port), (parsedHost, parsedPort));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("abc")]
    [InlineData("host.example:9464")]
    [InlineData("[::1]:9464")] // HttpListener on Linux cannot parse an IPv6 prefix
    [InlineData("1e3")]
    [InlineData("")]
    public void ABadAddressIsRefused(string text) => Assert.False(MetricsEndpoint.TryParse(text, out _, out _, out _));
}
