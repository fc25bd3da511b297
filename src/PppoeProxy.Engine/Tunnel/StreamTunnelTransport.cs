using System.Net.Sockets;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// Records over a TCP stream: <see cref="TunnelSocketStream"/> (blocking calls, never the runtime's
/// epoll thread), under TLS when the tunnel is encrypted; the wire format is v1 or the legacy Go one.
/// </summary>
internal sealed class StreamTunnelTransport : ITunnelTransport
{
    private readonly Stream _stream;
    private readonly TunnelCodec _codec;

    /// <param name="socket">The socket under <paramref name="stream"/>, to poll for writability and shut down; null for tests over a plain stream.</param>
    public StreamTunnelTransport(Stream stream, Socket? socket, TunnelCodec codec)
    {
        _stream = stream;
        Socket = socket;
        _codec = codec;
    }

    internal Socket? Socket { get; }
    public int MaxRecordSize => _codec.MaxRecordSize;
    public int MaxFrameLength => _codec.MaxFrameLength;
    public int MaxControlRecordSize => WireCodec.MaxGoodbyeRecordSize + 16; // legacy control records are smaller

    public int WriteFrame(Span<byte> destination, ReadOnlySpan<byte> frame, ushort etherType) => _codec.WriteFrame(destination, frame, etherType);
    public int WritePing(Span<byte> destination, ulong token) => _codec.WritePing(destination, token);
    public int WritePong(Span<byte> destination, ulong token) => _codec.WritePong(destination, token);
    public int WriteGoodbye(Span<byte> destination, string text) => _codec.WriteGoodbye(destination, text);

    public RecordStatus TryReadRecord(ReadOnlySpan<byte> buffer, out TunnelRecordKind kind, out ReadOnlySpan<byte> payload, out int consumed) =>
        _codec.TryRead(buffer, out kind, out payload, out consumed);

    // Only v1 has ping, pong and goodbye records: the legacy codec never yields them.
    public ulong ReadPingToken(ReadOnlySpan<byte> payload) => payload.Length == 8 ? WireCodec.ReadToken(payload) : 0;

    public string ReadGoodbyeText(ReadOnlySpan<byte> payload)
    {
        WireCodec.ReadGoodbye(payload, out var text);
        return text;
    }

    public int Receive(Span<byte> buffer)
    {
        try { return _stream.Read(buffer); }
        catch (Exception error) when (IsCarrierFailure(error)) { throw Classified("connection lost", error); }
    }

    public void Send(ReadOnlySpan<byte> records)
    {
        try { _stream.Write(records); }
        catch (Exception error) when (IsCarrierFailure(error)) { throw Classified("write failed", error); }
    }

    public void Flush()
    {
        try { _stream.Flush(); }
        catch (Exception error) when (IsCarrierFailure(error)) { throw Classified("write failed", error); }
    }

    // Never block the capture thread on a full send buffer: without a socket to ask, say no.
    public bool CanSendNow
    {
        get
        {
            try { return Socket is not null && Socket.Poll(0, SelectMode.SelectWrite); }
            catch (Exception error) when (IsCarrierFailure(error)) { return false; }
        }
    }

    public void Shutdown()
    {
        try { Socket?.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        try { _stream.Dispose(); } catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException) { }
        try { Socket?.Dispose(); } catch (ObjectDisposedException) { }
    }

    public void Dispose() => Shutdown();

    // The one place that decides which exceptions mean "the connection is gone".
    private static bool IsCarrierFailure(Exception error) =>
        error is IOException or ObjectDisposedException or SocketException or InvalidOperationException;

    private static TunnelTransportException Classified(string what, Exception error) => new($"{what}: {error.Message}", error);
}
