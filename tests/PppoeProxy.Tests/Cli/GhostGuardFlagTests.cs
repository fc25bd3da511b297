using PppoeProxy.Cli;
using PppoeProxy.Engine.Operations;
using Xunit;

namespace PppoeProxy.Tests.Cli;

/// <summary>`--ghost-guard on|off` on both ends and in config files; the engine's options follow it.</summary>
public sealed class GhostGuardFlagTests
{
    [Theory]
    [InlineData("server", "--listen", "127.0.0.1:4000")]
    [InlineData("client", "--server", "127.0.0.1:4000")]
    public void ABadValueIsOneUsageLineNamingTheFlag(string role, string flag, string endpoint)
    {
        var r = CliRunner.Run(role, "--interface", "nosuch0", flag, endpoint, "--insecure", "--status-socket", "none", "--ghost-guard", "maybe");
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        var line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("pppoeproxy: --ghost-guard: 'maybe' is not on or off", line);
    }

    [Fact]
    public void OffInAConfigFilePassesTheChecks()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-guard-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, "interface = nosuch0\nlisten = 127.0.0.1:4000\ninsecure = true\nghost-guard = off\n");
        try
        {
            var r = CliRunner.Run("server", "--config", path, "--status-socket", "none");
            Assert.Equal(ExitCodes.RuntimeError, r.ExitCode); // only the missing interface is left
            Assert.Contains("nosuch0", r.Error);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("on", true)]
    [InlineData("OFF", false)]
    public void TheGuardIsOnUnlessTurnedOff(string? value, bool enabled)
    {
        var options = ProxyOptionsBuilder.Client(new ProxySettings { Interface = "eth0", Server = "127.0.0.1:1", Insecure = true, GhostGuard = value });
        Assert.Equal(enabled, options.GhostGuard.Enabled);
    }
}
