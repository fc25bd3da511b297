namespace PppoeProxy.Engine.Capture;

/// <summary>
/// A capture failure with a one-line, operator-readable message (the CLI and PowerShell
/// layers print <see cref="Exception.Message"/> as is, so it must say what to do).
/// </summary>
public sealed class CaptureException : Exception
{
    public CaptureErrorKind Kind { get; }

    public CaptureException(CaptureErrorKind kind, string message, Exception? inner = null)
        : base(ToOneLine(message), inner)
    {
        Kind = kind;
    }

    // libpcap error buffers sometimes carry newlines or trailing blanks; callers log one line.
    private static string ToOneLine(string message)
    {
        if (message.AsSpan().IndexOfAny('\r', '\n') < 0) return message.Trim();
        return string.Join(' ', message.Split(new[] { '\r', '\n' },
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
