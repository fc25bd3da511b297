using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// A --stats print after heavy churn: the issue saw 50,502 lines (one per tunnel and per session
/// ever seen). Now: totals plus the busiest few, the full lists only in `status --json`.
/// </summary>
public class ProxyStatusStatsLinesTests
{
    private static readonly IReadOnlyDictionary<string, long> NoDrops = new Dictionary<string, long>();

    [Fact]
    public void StatsLinesStayFewAndNameTheBusiestAfterFiftyThousandSessions()
    {
        var peers = Enumerable.Range(1, 300).Select(i => new PeerStatus(i, $"peer{i}", null, DateTimeOffset.UtcNow, true,
            new TunnelCountersSnapshot(i, i * 100, i, i * 100, NoDrops), Array.Empty<string>())).ToList();
        var sessions = Enumerable.Range(1, 50_000).Select(i => new PppoeSession
        {
            SessionId = i % 65534 + 1,
            ClientMac = MacAddress.Parse("02:00:00:00:00:01"),
            ServerMac = MacAddress.Parse("02:00:00:00:00:02"),
            State = i % 100 == 0 ? SessionState.Established : SessionState.Terminated,
            BytesFromClient = i,
        }).ToList();
        var status = new ProxyStatus("server", "eth0", "0.0.0.0:4789", "plain text", "transparent", peers, sessions,
            new TunnelCountersSnapshot(0, 0, 0, 0, NoDrops), Array.Empty<string>());

        var lines = status.StatsLines().ToList();

        Assert.True(lines.Count <= 2 * ProxyStatus.StatsTopCount + 3, string.Join('\n', lines));
        Assert.StartsWith("stats server eth0: 300 tunnel(s), 500 session(s)", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  tunnel peer300:")); // the busiest tunnel
        Assert.DoesNotContain(lines, l => l.StartsWith("  tunnel peer1:"));
        Assert.Contains(lines, l => l.StartsWith($"  session {50_000 % 65534 + 1} ")); // the busiest session
        Assert.Contains("  ... and 295 more tunnel(s) (`pppoeproxy status --json` lists all)", lines);
        Assert.Contains("  ... and 49995 more session(s) (`pppoeproxy status --json` lists all)", lines);
    }

    [Fact]
    public void AFewTunnelsAndSessionsAreAllListedWithoutASummaryLine()
    {
        var peers = new[] { new PeerStatus(1, "only", null, DateTimeOffset.UtcNow, true, new TunnelCountersSnapshot(1, 2, 3, 4, NoDrops), Array.Empty<string>()) };
        var sessions = new[] { new PppoeSession { SessionId = 7, State = SessionState.Established } };
        var status = new ProxyStatus("client", "eth1", "h:1", "plain text", "transparent", peers, sessions,
            new TunnelCountersSnapshot(0, 0, 0, 0, NoDrops), Array.Empty<string>());
        var lines = status.StatsLines().ToList();
        Assert.Equal(3, lines.Count);
        Assert.DoesNotContain(lines, l => l.Contains("more"));
    }
}
