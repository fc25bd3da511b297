using PppoeProxy.Cli;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Operations;

/// <summary>--max-sessions (the session budget): unlimited by default, a typed value, one usage line for a bad one.</summary>
public class SessionBudgetOptionsTests
{
    private static readonly ProxySettings Server = new() { Interface = "eth0", Insecure = true, Listen = "127.0.0.1:4000" };

    [Fact]
    public void UnlimitedByDefaultAndTheTypedValueOtherwise()
    {
        Assert.Null(ProxyOptionsBuilder.Server(Server).MaxSessions);
        Assert.Equal(2, ProxyOptionsBuilder.Server(Server with { MaxSessions = "2" }).MaxSessions);
        Assert.Equal(ProxyOptionsBuilder.MaxCount, ProxyOptionsBuilder.Server(Server with { MaxSessions = "1000000" }).MaxSessions);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1000001")]
    [InlineData("99999999999999999999")]
    [InlineData("two")]
    [InlineData("")]
    public void ABadBudgetIsOneUsageLineNamingTheFlag(string value)
    {
        var error = Assert.Throws<ProxyOptionsException>(() => ProxyOptionsBuilder.Server(Server with { MaxSessions = value }));
        Assert.Equal("max-sessions", error.Option);

        var r = CliRunner.Run("server", "--interface", "nosuch0", "--listen", "127.0.0.1:4000", "--status-socket", "none", "--insecure",
            "--max-sessions", value);
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        var line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--max-sessions", line);
        Assert.DoesNotContain("--max-sessions-per-tunnel", line);
        Assert.Contains("1 to 1000000", line);
        Assert.Empty(r.Out);
    }

    [Fact]
    public void TheConfigFileTakesTheKeyAndHelpNamesTheFlag()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-budget-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, "interface = nosuch0\nlisten = 127.0.0.1:4000\ninsecure = true\nstatus-socket = none\nmax-sessions = 0\n");
        try
        {
            var r = CliRunner.Run("server", "--config", path);
            Assert.Equal(ExitCodes.UsageError, r.ExitCode);
            Assert.Contains($"{path}:5: max-sessions", r.Error);
        }
        finally { File.Delete(path); }
        var help = CliRunner.Run("server", "--help");
        Assert.Contains("--max-sessions <N>", help.Out);
        Assert.Contains("default: unlimited", help.Out);
    }
}
