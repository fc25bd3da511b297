using Microsoft.Extensions.Logging;

namespace PppoeProxy.PowerShell.Jobs;

/// <summary>
/// Start-PppoeGuard -WhatIf: the guard's "would send ..." lines become "What if: ..." warnings (shown
/// by default, like ShouldProcess's own lines); every other line passes unchanged.
/// </summary>
public sealed class WhatIfLogger(ILogger inner) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel) || logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception);
        if (logLevel >= LogLevel.Information && text.Contains("would ", StringComparison.OrdinalIgnoreCase))
            inner.Log(LogLevel.Warning, eventId, "What if: " + text, exception, (t, _) => t);
        else
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
