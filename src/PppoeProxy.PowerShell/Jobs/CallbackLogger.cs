using Microsoft.Extensions.Logging;

namespace PppoeProxy.PowerShell.Jobs;

/// <summary>
/// An <see cref="ILogger"/> that hands each formatted event to a callback with the stream it belongs
/// on; the module turns that into WriteWarning/WriteVerbose or job stream records.
/// </summary>
public sealed class CallbackLogger : ILogger
{
    private readonly Action<LogStream, string> _sink;
    private readonly LogLevel _minimum;

    public CallbackLogger(Action<LogStream, string> sink, LogLevel minimum = LogLevel.Debug)
    {
        _sink = sink;
        _minimum = minimum;
    }

    public static LogStream StreamFor(LogLevel level) => level switch
    {
        LogLevel.Critical or LogLevel.Error or LogLevel.Warning => LogStream.Warning,
        LogLevel.Information => LogStream.Verbose,
        LogLevel.Debug => LogStream.Debug,
        _ => LogStream.None,
    };

    public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum && StreamFor(logLevel) != LogStream.None;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var text = formatter(state, exception);
        if (exception is not null) text = $"{text}: {exception.Message}";
        if (logLevel >= LogLevel.Error) text = "error: " + text;
        _sink(StreamFor(logLevel), text);
    }
}
