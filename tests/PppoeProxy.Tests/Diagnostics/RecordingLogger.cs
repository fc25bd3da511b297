using Microsoft.Extensions.Logging;

namespace PppoeProxy.Tests.Diagnostics;

/// <summary>Keeps every formatted line, thread-safely, for tests that count or read log lines.</summary>
public sealed class RecordingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Text)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Lines { get { lock (_lines) return _lines.ToList(); } }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add((logLevel, formatter(state, exception)));
    }
}
