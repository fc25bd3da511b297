using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace PppoeProxy.Cli;

/// <summary>One line per event on stderr; no timestamps under systemd, whose journal adds its own.</summary>
public static class CliLogging
{
    public static ILoggerFactory Create(LogLevel level) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(level);
        builder.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.IncludeScopes = false;
            options.TimestampFormat = Environment.GetEnvironmentVariable("JOURNAL_STREAM") is null ? "yyyy-MM-ddTHH:mm:ss.fff " : null;
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
