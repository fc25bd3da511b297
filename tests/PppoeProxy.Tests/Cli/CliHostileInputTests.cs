using PppoeProxy.Cli;
using Xunit;

namespace PppoeProxy.Tests.Cli;

/// <summary>
/// What a hostile probe of the command line found: values that crashed the parser (stack trace,
/// exit 134) or were runtime errors although the user mistyped them. Every bad value is one usage
/// line and exit 2; nothing ever prints a stack trace.
/// </summary>
public sealed class CliHostileInputTests
{
    private const string Fp = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly string[] Server = { "server", "--interface", "nosuch0", "--listen", "127.0.0.1:4000", "--status-socket", "none" };
    private static readonly string[] Client = { "client", "--interface", "nosuch0", "--server", "127.0.0.1:4000", "--status-socket", "none" };

    public static TheoryData<string, string[]> BadValues() => new()
    {
        { "--grace", Server.Concat(new[] { "--insecure", "--grace", "abc" }).ToArray() },
        { "--grace", Server.Concat(new[] { "--insecure", "--grace", "NaN" }).ToArray() },
        { "--grace", Server.Concat(new[] { "--insecure", "--grace", "1e300" }).ToArray() },
        { "--grace", Client.Concat(new[] { "--insecure", "--grace", "-1" }).ToArray() },
        { "--stats", Server.Concat(new[] { "--insecure", "--stats", "abc" }).ToArray() },
        { "--stats", Client.Concat(new[] { "--insecure", "--stats", "Infinity" }).ToArray() },
        { "--keepalive", Client.Concat(new[] { "--insecure", "--keepalive", "abc" }).ToArray() },
        { "--keepalive", Client.Concat(new[] { "--insecure", "--keepalive", "0" }).ToArray() },
        { "--timeout", new[] { "sessions", "--interface", "nosuch0", "--timeout", "abc" } },
        { "--timeout", new[] { "discover", "--interface", "nosuch0", "--timeout", "1e300" } },
        { "--trust", Server.Concat(new[] { "--cert", "a.crt", "--key", "a.key", "--trust", Fp[..63] }).ToArray() },
        { "--trust", Client.Concat(new[] { "--cert", "a.crt", "--key", "a.key", "--trust", Fp + "0" }).ToArray() },
        { "--max-tunnels", Server.Concat(new[] { "--insecure", "--max-tunnels", "2000000" }).ToArray() },
        { "--max-handshakes", Server.Concat(new[] { "--insecure", "--max-handshakes", "20:30:16" }).ToArray() },
        { "--metrics", Server.Concat(new[] { "--insecure", "--metrics", "abc" }).ToArray() },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void ABadValueIsOneUsageLineNamingTheOption(string option, string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        var lines = ErrorLines(r);
        Assert.Single(lines);
        Assert.StartsWith("pppoeproxy: ", lines[0]);
        Assert.Contains(option, lines[0]);
        // Every bad flag value points to the help the same way, whichever layer refused it.
        Assert.EndsWith("(see 'pppoeproxy --help')", lines[0]);
        Assert.DoesNotContain("   at ", r.Error);
    }

    // A bad value from the file names the file and line to fix, not a flag the user never typed;
    // one the options builder refuses (grace) and one the parser refuses (metrics) alike.
    [Theory]
    [InlineData("grace = abc", "grace: 'abc'")]
    [InlineData("metrics = abc", "metrics: 'abc'")]
    public void ABadValueInTheConfigFileIsAUsageErrorNamingItsLine(string setting, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-conf-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, $"interface = nosuch0\nlisten = 127.0.0.1:4000\n# a comment\ninsecure = true\n{setting}\n");
        try
        {
            var r = CliRunner.Run("server", "--config", path, "--status-socket", "none");
            Assert.Equal(ExitCodes.UsageError, r.ExitCode);
            var line = Assert.Single(ErrorLines(r));
            Assert.StartsWith($"pppoeproxy: {path}:5: {expected}", line);
            Assert.DoesNotContain("--", line.Replace("'pppoeproxy --help'", ""));
            // The same value typed on the command line still names the flag.
            var typed = CliRunner.Run("server", "--config", path, "--status-socket", "none", "--" + setting.Split(' ')[0], "abc");
            Assert.Contains($"--{expected}", Assert.Single(ErrorLines(typed)));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AnUnreadableConfigFileIsAUsageError()
    {
        // Exists, but reading it fails (EIO at offset 0), even for root.
        var r = CliRunner.Run("server", "--config", "/proc/self/mem");
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.StartsWith("pppoeproxy: --config: cannot read /proc/self/mem", Assert.Single(ErrorLines(r)));
    }

    [Theory]
    [InlineData("/dev/zero", "is over 64 KiB")] // endless: reading it all never finished
    [InlineData("/", "is a directory")]
    public void AConfigThatIsNoConfigFileIsAQuickUsageError(string path, string mentions)
    {
        var run = Task.Run(() => CliRunner.Run("server", "--config", path));
        Assert.True(run.Wait(TimeSpan.FromSeconds(10)), $"--config {path} still running after 10 s");
        var r = run.Result;
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        var line = Assert.Single(ErrorLines(r));
        Assert.StartsWith($"pppoeproxy: --config: {path} ", line);
        Assert.Contains(mentions, line);
    }

    [Fact]
    public void AStartUpFailurePrintsOneLineAndNoStatsLine()
    {
        using var p = ProxyProcess.Cli("server", "server", "--interface", "nosuch0", "--listen", "127.0.0.1:47999", "--insecure", "--status-socket", "none");
        Assert.True(NetnsLab.WaitUntil(() => p.HasExited, TimeSpan.FromSeconds(30)), "did not exit\n" + p);
        p.Stop(); // already gone: collects the last lines
        Assert.Equal(ExitCodes.RuntimeError, p.ExitCode);
        Assert.DoesNotContain(p.StderrLines, l => l.Contains("stats server"));
        Assert.Equal("pppoeproxy: interface 'nosuch0' does not exist", p.StderrLines.Last(l => l.Length > 0));
    }

    [Fact]
    public void AFifoWithNoWriterAsConfigIsAQuickUsageError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-fifo-{Guid.NewGuid():N}");
        Assert.Equal(0, NetnsLab.Run("mkfifo", new[] { path }, TimeSpan.FromSeconds(10)).ExitCode);
        try
        {
            var run = Task.Run(() => CliRunner.Run("server", "--config", path));
            Assert.True(run.Wait(ConfigFile.ReadDeadline + TimeSpan.FromSeconds(7)), $"--config {path} (FIFO) still running");
            var r = run.Result;
            Assert.Equal(ExitCodes.UsageError, r.ExitCode);
            Assert.StartsWith($"pppoeproxy: --config: {path} gave no data", Assert.Single(ErrorLines(r)));
        }
        finally
        {
            // Releases the reader still blocked in open(): a writer that closes at once is its EOF.
            // Bounded: with no reader left, this open would block in turn.
            Task.Run(() => { using (new FileStream(path, FileMode.Open, FileAccess.Write)) { } }).Wait(TimeSpan.FromSeconds(2));
            File.Delete(path);
        }
    }

    private static string[] ErrorLines(CliResult r) => r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
