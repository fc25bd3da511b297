using System.Text.Json;
using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>`--metrics`: a scrape during a live session says what `status --json` says.</summary>
[Collection(TunnelLabCollection.Name)]
public sealed class MetricsLabTests
{
    [RootFact]
    public void AScrapeMatchesStatusJsonWithARealSessionAndABarePortIsLoopbackOnly()
    {
        using var t = new TunnelLab();
        var socket = Path.Combine(t.Dir, "server.sock");
        int port = TunnelLab.FreeLoopbackPort();
        var server = t.StartServer(Wire.Insecure, extra: new[] { "--status-socket", socket, "--metrics", port.ToString() });
        server.WaitForLog($"metrics at http://127.0.0.1:{port}/metrics", TimeSpan.FromSeconds(10));
        t.ConnectClient(Wire.Insecure);
        var session = t.Lab.Dial();
        Assert.NotEqual(0, session.SessionId);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var url = $"http://127.0.0.1:{port}/metrics";
        // The session's echoes go on: the status read between two scrapes lies between their counters.
        var before = PrometheusText.Parse(http.GetStringAsync(url).GetAwaiter().GetResult());
        var r = CliRunner.Run("status", "--socket", socket, "--json");
        var after = PrometheusText.Parse(http.GetStringAsync(url).GetAwaiter().GetResult());
        Assert.True(r.ExitCode == 0, r.Error);
        var status = JsonDocument.Parse(r.OutLines[0]).RootElement;
        var counters = status.GetProperty("counters");

        void Between(string series, long value)
        {
            Assert.True(before.ContainsKey(series) && after.ContainsKey(series), $"no {series} in the scrape");
            Assert.InRange(value, (long)before[series], (long)after[series]);
        }
        Between("pppoeproxy_frames_total{direction=\"to_tunnel\"}", counters.GetProperty("framesToTunnel").GetInt64());
        Between("pppoeproxy_frames_total{direction=\"from_tunnel\"}", counters.GetProperty("framesFromTunnel").GetInt64());
        Between("pppoeproxy_bytes_total{direction=\"to_tunnel\"}", counters.GetProperty("bytesToTunnel").GetInt64());
        Between("pppoeproxy_bytes_total{direction=\"from_tunnel\"}", counters.GetProperty("bytesFromTunnel").GetInt64());
        Assert.True(after["pppoeproxy_frames_total{direction=\"from_tunnel\"}"] >= 3, "PADI, PADR and LCP crossed the tunnel");
        foreach (var drop in counters.GetProperty("drops").EnumerateObject())
            Between($"pppoeproxy_drops_total{{reason=\"{drop.Name}\"}}", drop.Value.GetInt64());

        var peer = Assert.Single(status.GetProperty("peers").EnumerateArray(), p => p.GetProperty("connected").GetBoolean());
        Assert.Equal(1, after["pppoeproxy_tunnels"]);
        Between($"pppoeproxy_tunnel_frames{{tunnel=\"{peer.GetProperty("name").GetString()}#{peer.GetProperty("id").GetInt64()}\",direction=\"from_tunnel\"}}",
            peer.GetProperty("counters").GetProperty("framesFromTunnel").GetInt64());
        Assert.Equal(status.GetProperty("sessions").EnumerateArray().Count(s => s.GetProperty("state").GetString() == "Established"),
            (int)after["pppoeproxy_sessions{state=\"Established\"}"]);
        Assert.True(after["pppoeproxy_sessions{state=\"Established\"}"] >= 1);

        // A bare port is bound to loopback only: the kernel's table of listening sockets says so.
        var listening = NetnsLab.Run("ss", new[] { "-Hltn", $"sport = :{port}" }, TimeSpan.FromSeconds(10));
        var locals = listening.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]).ToList();
        Assert.Equal(new[] { $"127.0.0.1:{port}" }, locals);
    }
}
