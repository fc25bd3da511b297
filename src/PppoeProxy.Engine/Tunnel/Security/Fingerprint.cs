using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PppoeProxy.Engine.Tunnel.Security;

/// <summary>
/// SHA-256 of a certificate's DER bytes as 64 lowercase hex digits: the identity of a tunnel peer
/// (like a WireGuard public key). Same value as `openssl x509 -noout -fingerprint -sha256`
/// without the colons, lowercased.
/// </summary>
public static class Fingerprint
{
    public const int HexLength = 64;

    public static string Of(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return OfDer(certificate.GetRawCertData());
    }

    public static string OfDer(ReadOnlySpan<byte> der)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(der, hash);
        return Convert.ToHexString(hash).ToLowerInvariant();
    }

    /// <summary>Accepts 64 hex digits, any case, optionally separated by colons (as openssl prints them).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out string? fingerprint)
    {
        fingerprint = null;
        if (text is null) return false;
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        // Either bare hex, or exactly "xx:xx:...:xx" (32 pairs, 31 colons); no other mixture.
        bool colons = s.Length == HexLength + 31;
        if (!colons && s.Length != HexLength) return false;
        Span<char> hex = stackalloc char[HexLength];
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (colons && i % 3 == 2)
            {
                if (c != ':') return false;
                continue;
            }
            if (!char.IsAsciiHexDigit(c)) return false;
            hex[n++] = char.ToLowerInvariant(c);
        }
        fingerprint = new string(hex);
        return true;
    }

    public static string Parse(string text) => TryParse(text, out var fp)
        ? fp
        : throw new FormatException($"'{text}' is not a certificate fingerprint (expected 64 hex digits, colons optional)");

    /// <summary>Parses several (e.g. a trust list from config) into a set; throws on the first bad one.</summary>
    public static IReadOnlySet<string> ParseSet(IEnumerable<string> texts) =>
        texts.Select(Parse).ToHashSet(StringComparer.Ordinal);
}
