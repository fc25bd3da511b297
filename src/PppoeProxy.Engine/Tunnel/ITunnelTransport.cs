using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// What carries one tunnel's records, under <see cref="TunnelLink"/>: the wire format (which
/// protocol version) and the carrier (a TCP stream, with or without TLS, today; a datagram carrier
/// could be added here without touching the link or routing). The link calls <see cref="Receive"/>
/// only from its reader thread and the send members only while it owns the sending side, so an
/// implementation needs no locks of its own. Every carrier failure surfaces as a
/// <see cref="TunnelTransportException"/>, classified once here.
/// </summary>
public interface ITunnelTransport : IDisposable
{
    /// <summary>A buffer this large holds any one record.</summary>
    int MaxRecordSize { get; }
    /// <summary>The largest Ethernet frame one record carries.</summary>
    int MaxFrameLength { get; }
    /// <summary>A buffer this large holds any ping, pong or goodbye record.</summary>
    int MaxControlRecordSize { get; }

    int WriteFrame(Span<byte> destination, ReadOnlySpan<byte> frame, ushort etherType);
    int WritePing(Span<byte> destination, ulong token);
    int WritePong(Span<byte> destination, ulong token);
    /// <summary>0 when the wire format has no goodbye record (legacy).</summary>
    int WriteGoodbye(Span<byte> destination, string text);
    /// <summary>The next record at the start of <paramref name="buffer"/>, if it is all there.</summary>
    RecordStatus TryReadRecord(ReadOnlySpan<byte> buffer, out TunnelRecordKind kind, out ReadOnlySpan<byte> payload, out int consumed);
    /// <summary>The token of a ping record's payload, to echo in the pong.</summary>
    ulong ReadPingToken(ReadOnlySpan<byte> payload);
    /// <summary>The peer's words in a goodbye record's payload (may be empty).</summary>
    string ReadGoodbyeText(ReadOnlySpan<byte> payload);

    /// <summary>Blocks until bytes arrive; 0 when the peer closed.</summary>
    int Receive(Span<byte> buffer);
    /// <summary>Sends (or buffers for <see cref="Flush"/>) encoded records; may block.</summary>
    void Send(ReadOnlySpan<byte> records);
    void Flush();
    /// <summary>True when a small <see cref="Send"/> would not block now (the light-load direct write).</summary>
    bool CanSendNow { get; }
    /// <summary>Ends both directions at once: a blocked <see cref="Receive"/> returns or throws.</summary>
    void Shutdown();
}
