using PppoeProxy.Cli;
using Xunit;

namespace PppoeProxy.Tests.Cli;

/// <summary>The server's limit flags and config keys: a bad value is one usage line naming the flag, exit 2.</summary>
public sealed class LimitFlagsTests
{
    private static readonly string[] Server = { "server", "--interface", "nosuch0", "--listen", "127.0.0.1:4000", "--status-socket", "none", "--insecure" };

    [Theory]
    [InlineData("--max-tunnels", "abc")]
    [InlineData("--max-tunnels", "0")]
    [InlineData("--max-tunnels", "1e3")]
    [InlineData("--max-tunnels-per-source", "-1")]
    [InlineData("--max-tunnels-per-source", "99999999999999999999")]
    [InlineData("--max-handshakes", "8:30")]
    [InlineData("--max-handshakes", "16:30:8")]
    [InlineData("--max-handshakes", "NaN")]
    [InlineData("--max-handshakes-per-source", "0")]
    public void ABadLimitIsOneUsageLineNamingTheFlag(string flag, string value)
    {
        var r = CliRunner.Run(Server.Concat(new[] { flag, value }).ToArray());
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        var line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"pppoeproxy: {flag}: '{value}'", line);
    }

    [Fact]
    public void GoodLimitsPassTheChecksAndTheRunFailsOnlyOnTheMissingInterface()
    {
        var r = CliRunner.Run(Server.Concat(new[] { "--max-tunnels", "2", "--max-tunnels-per-source", "1", "--max-handshakes", "4:50:8", "--max-handshakes-per-source", "2" }).ToArray());
        Assert.Equal(ExitCodes.RuntimeError, r.ExitCode);
        Assert.Contains("nosuch0", r.Error);
    }

    [Fact]
    public void ABadLimitInTheConfigFileIsAUsageError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-limits-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, "interface = nosuch0\nlisten = 127.0.0.1:4000\ninsecure = true\nmax-handshakes = 8:30:4\n");
        try
        {
            var r = CliRunner.Run("server", "--config", path, "--status-socket", "none");
            Assert.Equal(ExitCodes.UsageError, r.ExitCode);
            Assert.Contains($"{path}:4: max-handshakes: '8:30:4'", r.Error); // the line to fix, not a flag never typed
        }
        finally { File.Delete(path); }
    }
}
