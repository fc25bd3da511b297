using System.Text;

namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>UTF-8 helpers for the short texts of the protocol (names, reasons), which end up in logs.</summary>
internal static class WireText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes as much of <paramref name="text"/> as fits, never splitting a character.</summary>
    public static int EncodeTruncated(string? text, Span<byte> destination)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        Encoder encoder = Encoding.UTF8.GetEncoder();
        encoder.Convert(text, destination, flush: true, out _, out int bytesUsed, out _);
        return bytesUsed;
    }

    /// <summary>Strict decode for identity-like text: invalid UTF-8 or control characters fail.</summary>
    public static bool TryDecodeStrict(ReadOnlySpan<byte> bytes, out string text)
    {
        text = "";
        try { text = Strict.GetString(bytes); }
        catch (DecoderFallbackException) { return false; }
        foreach (char c in text)
        {
            if (char.IsControl(c)) return false;
        }
        return true;
    }

    /// <summary>Lenient decode for display: bad bytes become U+FFFD and control characters '?',
    /// so a peer cannot forge log lines.</summary>
    public static string DecodeForLog(ReadOnlySpan<byte> bytes)
    {
        string text = Encoding.UTF8.GetString(bytes);
        return text.AsSpan().IndexOfAnyInRange('\0', '\u001f') < 0 && !text.Contains('\u007f')
            ? text
            : string.Create(text.Length, text, static (span, t) =>
            {
                for (int i = 0; i < t.Length; i++) span[i] = char.IsControl(t[i]) ? '?' : t[i];
            });
    }
}
