using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Diagnostics;

public class RateLimitedLogTests
{
    private long _now = 1_000;

    private (RateLimitedLog Log, RecordingLogger Lines) Make()
    {
        var lines = new RecordingLogger();
        return (new RateLimitedLog(lines, TimeSpan.FromSeconds(1), () => _now), lines);
    }

    [Fact]
    public void AFloodOfOneCauseWritesOneLinePerSecondAndCountsTheRest()
    {
        var (log, lines) = Make();
        for (int i = 0; i < 2000; i++) log.Warning("refused", "refused {Peer}", $"10.0.0.{i % 250}");
        Assert.Single(lines.Lines);
        Assert.Equal(1999, log.TotalSuppressed);

        _now += 1_000;
        log.Warning("refused", "refused {Peer}", "10.0.0.9");
        Assert.Equal(2, lines.Lines.Count);
        Assert.Contains("1999 more like it", lines.Lines[1].Text);
    }

    [Fact]
    public void CausesAreLimitedApart()
    {
        var (log, lines) = Make();
        for (int i = 0; i < 50; i++)
        {
            log.Warning("refused", "refused");
            log.Information("conflict", "conflict");
        }
        Assert.Equal(2, lines.Lines.Count);
    }

    [Fact]
    public void FlushReportsWhatNoLaterLineCarriedOut()
    {
        var (log, lines) = Make();
        for (int i = 0; i < 5; i++) log.Warning("refused", "refused");
        log.Flush();
        Assert.Single(lines.Lines); // the interval is not over yet
        _now += 1_000;
        log.Flush();
        Assert.Equal(2, lines.Lines.Count);
        Assert.Contains("4 more lines of kind refused", lines.Lines[1].Text);
        Assert.Equal(LogLevel.Warning, lines.Lines[1].Level);
        _now += 5_000;
        log.Flush();
        Assert.Equal(2, lines.Lines.Count); // nothing new held back
    }

    [Fact]
    public void EndlessDistinctCausesShareOneSlotPastTheBound()
    {
        var (log, lines) = Make();
        for (int i = 0; i < 10_000; i++) log.Warning($"cause-{i}", "line");
        Assert.True(lines.Lines.Count <= RateLimitedLog.MaxCauses + 1, $"{lines.Lines.Count} lines");
    }
}
