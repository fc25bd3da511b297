using PppoeProxy.Cli;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Operations;

/// <summary>--max-sessions-per-tunnel and --max-tracked-sessions: defaults, typed values, and one usage line for a bad one.</summary>
public class SessionLimitOptionsTests
{
    private static readonly ProxySettings Server = new() { Interface = "eth0", Insecure = true, Listen = "127.0.0.1:4000" };

    [Fact]
    public void DefaultsAndTypedValues()
    {
        var defaults = ProxyOptionsBuilder.Server(Server);
        Assert.Equal((64, 4096), (defaults.MaxSessionsPerTunnel, defaults.MaxTrackedSessions));
        var typed = ProxyOptionsBuilder.Server(Server with { MaxSessionsPerTunnel = "2", MaxTrackedSessions = "100" });
        Assert.Equal((2, 100), (typed.MaxSessionsPerTunnel, typed.MaxTrackedSessions));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1e3")]
    [InlineData("2.5")]
    [InlineData("99999999999999999999")]
    [InlineData("NaN")]
    public void ABadCountIsAUsageLineNamingTheFlag(string value)
    {
        var error = Assert.Throws<ProxyOptionsException>(() => ProxyOptionsBuilder.Server(Server with { MaxSessionsPerTunnel = value }));
        Assert.Equal("max-sessions-per-tunnel", error.Option);
        error = Assert.Throws<ProxyOptionsException>(() => ProxyOptionsBuilder.Server(Server with { MaxTrackedSessions = value }));
        Assert.Equal("max-tracked-sessions", error.Option);

        var r = CliRunner.Run("server", "--interface", "nosuch0", "--listen", "127.0.0.1:4000", "--status-socket", "none", "--insecure",
            "--max-sessions-per-tunnel", value);
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.Contains("--max-sessions-per-tunnel", r.Error);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public void TheConfigFileTakesTheSameKeys()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-limits-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, "interface = nosuch0\nlisten = 127.0.0.1:4000\ninsecure = true\nstatus-socket = none\nmax-tracked-sessions = 0\n");
        try
        {
            var r = CliRunner.Run("server", "--config", path);
            Assert.Equal(ExitCodes.UsageError, r.ExitCode);
            Assert.Contains($"{path}:5: max-tracked-sessions", r.Error);
        }
        finally { File.Delete(path); }
    }
}
