using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Cli;

/// <summary>`pppoeproxy status` shows what --clamp-mss did (read back from the status JSON), and nothing when it is off.</summary>
public sealed class StatusMssClampTests
{
    private static readonly ProxyStatus Idle = new("client", "lo", "127.0.0.1:1", "plain text", "transparent",
        Array.Empty<PeerStatus>(), Array.Empty<PppoeProxy.Engine.Sessions.PppoeSession>(),
        new TunnelCountersSnapshot(0, 0, 0, 0, new Dictionary<string, long>()), Array.Empty<string>());

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheClampLineIsShownOnlyWhenTheClampIsOn(bool on)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-mss-{Guid.NewGuid():N}.sock");
        var status = on ? Idle with { MssClamp = new MssClampStatus("1414", 7, 2, 1, 4) } : Idle;
        using var endpoint = StatusEndpoint.TryOpen(path, () => status, NullLogger.Instance);
        var r = CliRunner.Run("status", "--socket", path);
        Assert.Equal(0, r.ExitCode);
        const string line = "mss clamp 1414: 7 SYN(s) clamped, 2 already small enough, 1 without MSS option, 4 IP packet(s) not checked";
        if (on) Assert.Contains(line, r.OutLines);
        else Assert.DoesNotContain(r.OutLines, l => l.Contains("mss clamp"));
    }
}
