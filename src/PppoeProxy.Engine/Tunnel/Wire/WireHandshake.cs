using System.Buffers.Binary;
using System.Text;

namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>
/// The v1 version handshake (layout in the comment at the top of WireCodec.cs). Runs once per
/// connection, so it may allocate the name and text strings. Readers never throw.
/// </summary>
public static class WireHandshake
{
    public const int HeaderSize = 8;
    public const int MaxClientNameBytes = 64;
    public const int MaxReplyTextBytes = 255;
    public const int MaxHelloSize = HeaderSize + MaxClientNameBytes;
    public const int MaxReplySize = HeaderSize + MaxReplyTextBytes;

    /// <summary>"PPXY": spots a peer speaking something else (legacy protocol, TLS to a plain port, HTTP).</summary>
    public static ReadOnlySpan<byte> Magic => "PPXY"u8;

    /// <summary>Writes the client hello; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">The name is over 64 UTF-8 bytes or has control characters, or destination is too small.</exception>
    public static int WriteHello(Span<byte> destination, string clientName, ushort version = WireCodec.ProtocolVersion, byte flags = 0)
    {
        ArgumentNullException.ThrowIfNull(clientName);
        int nameLength = Encoding.UTF8.GetByteCount(clientName);
        if (nameLength > MaxClientNameBytes)
            throw new ArgumentException($"client name is {nameLength} UTF-8 bytes, at most {MaxClientNameBytes} allowed", nameof(clientName));
        if (clientName.Any(char.IsControl))
            throw new ArgumentException("client name must not contain control characters", nameof(clientName));
        WriteHeader(destination, version, flags, nameLength);
        Encoding.UTF8.GetBytes(clientName, destination[HeaderSize..]);
        return HeaderSize + nameLength;
    }

    /// <summary>Writes an accept reply for <paramref name="version"/>.</summary>
    public static int WriteAccept(Span<byte> destination, ushort version = WireCodec.ProtocolVersion)
        => WriteReply(destination, HandshakeStatus.Accepted, version, null);

    /// <summary>Writes a reject reply; text over 255 UTF-8 bytes is cut. The server closes after sending it.</summary>
    public static int WriteReject(Span<byte> destination, HandshakeStatus status, string? text)
    {
        if (status == HandshakeStatus.Accepted) throw new ArgumentException("a rejection needs a non-zero status", nameof(status));
        return WriteReply(destination, status, WireCodec.ProtocolVersion, text);
    }

    /// <summary>
    /// Server side: parses the hello at the front of <paramref name="buffer"/>. Returns false when
    /// more bytes are needed. When true, <paramref name="verdict"/> is Accepted with
    /// <paramref name="hello"/> filled, or the status to send in a rejection (BadMagic is reported
    /// as soon as the first differing byte arrives, so a wrong-protocol peer is not waited on).
    /// </summary>
    public static bool TryReadHello(ReadOnlySpan<byte> buffer, out HandshakeStatus verdict, out ClientHello hello, out int consumed)
    {
        hello = default;
        consumed = 0;
        if (!TryReadHeader(buffer, out verdict, out ushort version, out byte code, out int dataLength, out ReadOnlySpan<byte> data))
            return false;
        if (verdict != HandshakeStatus.Accepted) return true;
        if (version != WireCodec.ProtocolVersion) { verdict = HandshakeStatus.UnsupportedVersion; return true; }
        if ((code & ~HelloFlags.Known) != 0 || dataLength > MaxClientNameBytes) { verdict = HandshakeStatus.Malformed; return true; }
        if (data.Length < dataLength) return false;
        if (!WireText.TryDecodeStrict(data[..dataLength], out string name)) { verdict = HandshakeStatus.Malformed; return true; }
        hello = new ClientHello(version, name, code);
        consumed = HeaderSize + dataLength;
        return true;
    }

    /// <summary>
    /// Client side: parses the server's reply. Returns false when more bytes are needed. A reply
    /// without the magic comes back as status BadMagic, one with an unknown status byte keeps it.
    /// </summary>
    public static bool TryReadReply(ReadOnlySpan<byte> buffer, out ServerReply reply, out int consumed)
    {
        reply = default;
        consumed = 0;
        if (!TryReadHeader(buffer, out HandshakeStatus verdict, out ushort version, out byte code, out int dataLength, out ReadOnlySpan<byte> data))
            return false;
        if (verdict != HandshakeStatus.Accepted) { reply = new ServerReply(verdict, 0, "server reply does not start with PPXY"); return true; }
        if (data.Length < dataLength) return false;
        reply = new ServerReply((HandshakeStatus)code, version, WireText.DecodeForLog(data[..dataLength]));
        consumed = HeaderSize + dataLength;
        return true;
    }

    /// <summary>One line for logs, e.g. "rejected (UnsupportedVersion, server speaks v1): ...".</summary>
    public static string Describe(ServerReply reply) => reply.IsAccepted
        ? $"accepted (v{reply.Version})"
        : $"rejected ({reply.Status}, server speaks v{reply.Version})" + (reply.Text.Length > 0 ? ": " + reply.Text : "");

    // Verdict is Accepted when the frozen header is intact; false only while bytes are missing.
    private static bool TryReadHeader(ReadOnlySpan<byte> buffer, out HandshakeStatus verdict, out ushort version,
        out byte code, out int dataLength, out ReadOnlySpan<byte> data)
    {
        verdict = HandshakeStatus.Accepted;
        version = 0;
        code = 0;
        dataLength = 0;
        data = default;
        int prefix = Math.Min(buffer.Length, Magic.Length);
        if (!buffer[..prefix].SequenceEqual(Magic[..prefix])) { verdict = HandshakeStatus.BadMagic; return true; }
        if (buffer.Length < HeaderSize) return false;
        version = BinaryPrimitives.ReadUInt16BigEndian(buffer[4..]);
        code = buffer[6];
        dataLength = buffer[7];
        data = buffer[HeaderSize..];
        return true;
    }

    private static int WriteReply(Span<byte> destination, HandshakeStatus status, ushort version, string? text)
    {
        Span<byte> textBytes = stackalloc byte[MaxReplyTextBytes];
        int textLength = WireText.EncodeTruncated(text, textBytes);
        WriteHeader(destination, version, (byte)status, textLength);
        textBytes[..textLength].CopyTo(destination[HeaderSize..]);
        return HeaderSize + textLength;
    }

    private static void WriteHeader(Span<byte> destination, ushort version, byte code, int dataLength)
    {
        if (destination.Length < HeaderSize + dataLength)
            throw new ArgumentException($"destination has {destination.Length} bytes, message needs {HeaderSize + dataLength}", nameof(destination));
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], version);
        destination[6] = code;
        destination[7] = (byte)dataLength;
    }
}
