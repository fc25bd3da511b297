using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Guard;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Cli;

/// <summary>
/// `pppoeproxy status` shows what the ghost guard did (it was in the JSON and the --stats lines only): an admin
/// who wonders why a session ended, or whether the guard is on at all, reads it here.
/// </summary>
public sealed class StatusGhostGuardTests
{
    private static readonly ProxyStatus Idle = new("client", "lo", "127.0.0.1:1", "plain text", "transparent",
        Array.Empty<PeerStatus>(), Array.Empty<PppoeProxy.Engine.Sessions.PppoeSession>(),
        new TunnelCountersSnapshot(0, 0, 0, 0, new Dictionary<string, long>()), Array.Empty<string>());

    [Theory]
    [InlineData(true, "ghost guard: 2 restart(s) checked, 1 ghost(s) ended, 1 live session(s) kept, 4 probe(s), 0 unchecked (busy), 0 send failure(s)")]
    [InlineData(false, "ghost guard: off")]
    public void TheGuardLineIsShown(bool on, string line)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-guard-{Guid.NewGuid():N}.sock");
        var status = Idle with { Guard = new GhostGuardStats(on, false, 2, 4, 1, 0, 1, 2, 0, 0, 0) };
        using var endpoint = StatusEndpoint.TryOpen(path, () => status, NullLogger.Instance);
        var r = CliRunner.Run("status", "--socket", path);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(line, r.OutLines);
    }

    [Fact]
    public void NoGuardNoLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-guard-{Guid.NewGuid():N}.sock");
        using var endpoint = StatusEndpoint.TryOpen(path, () => Idle, NullLogger.Instance);
        var r = CliRunner.Run("status", "--socket", path);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain(r.OutLines, l => l.Contains("ghost guard"));
    }
}
