using PppoeProxy.Cli;
using PppoeProxy.Engine.Operations;
using Xunit;

namespace PppoeProxy.Tests.Cli;

/// <summary>`pppoeproxy guard`: the same conventions as the other subcommands (one-line errors, exit codes, help).</summary>
public sealed class GuardCommandTests
{
    [Fact]
    public void HelpNamesEveryFlag()
    {
        var r = CliRunner.Run("guard", "--help");
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        foreach (var flag in new[] { "--interface", "--dry-run", "--stats", "--status-socket", "--log-level" }) Assert.Contains(flag, r.Out);
        Assert.Contains("guard", CliRunner.Run("--help").Out);
    }

    [Theory]
    [InlineData(ExitCodes.UsageError, "Option '--interface' is required", "guard")]
    [InlineData(ExitCodes.UsageError, "--stats: 'abc' is not a positive number of seconds", "guard", "--interface", "lo", "--stats", "abc")]
    [InlineData(ExitCodes.RuntimeError, "interface 'nosuch0' does not exist", "guard", "--interface", "nosuch0", "--status-socket", "none")]
    public void AMistakeIsOneLineAndTheRightExitCode(int exitCode, string message, params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(exitCode, r.ExitCode);
        var line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("pppoeproxy: ", line);
        Assert.Contains(message, line);
    }

    [Fact]
    public void OptionsCarryTheDryRunAndTheStatsInterval()
    {
        var options = GuardWatcherOptions.From("eth0", "2.5", dryRun: true);
        Assert.True(options.DryRun);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.StatsInterval);
        Assert.Null(GuardWatcherOptions.From("eth0", null, dryRun: false).StatsInterval);
        Assert.Throws<ProxyOptionsException>(() => GuardWatcherOptions.From(" ", null, false));
    }

}
