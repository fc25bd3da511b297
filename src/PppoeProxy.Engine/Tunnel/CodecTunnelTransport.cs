using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// What every carrier shares: records are written and parsed by the wire format's codec; only moving the
/// bytes (<see cref="Receive"/>, <see cref="Send"/>...) differs between a TCP stream and datagrams.
/// </summary>
internal abstract class CodecTunnelTransport(TunnelCodec codec) : ITunnelTransport
{
    private protected TunnelCodec Codec { get; } = codec;

    public int MaxRecordSize => Codec.MaxRecordSize;
    public int MaxFrameLength => Codec.MaxFrameLength;
    public int MaxControlRecordSize => WireCodec.MaxGoodbyeRecordSize + 16; // legacy control records are smaller

    public int WriteFrame(Span<byte> destination, ReadOnlySpan<byte> frame, ushort etherType) => Codec.WriteFrame(destination, frame, etherType);
    public int WritePing(Span<byte> destination, ulong token) => Codec.WritePing(destination, token);
    public int WritePong(Span<byte> destination, ulong token) => Codec.WritePong(destination, token);
    public int WriteGoodbye(Span<byte> destination, string text) => Codec.WriteGoodbye(destination, text);

    public RecordStatus TryReadRecord(ReadOnlySpan<byte> buffer, out TunnelRecordKind kind, out ReadOnlySpan<byte> payload, out int consumed) =>
        Codec.TryRead(buffer, out kind, out payload, out consumed);

    // Only v1 has ping, pong and goodbye records: the legacy codec never yields them.
    public ulong ReadPingToken(ReadOnlySpan<byte> payload) => payload.Length == 8 ? WireCodec.ReadToken(payload) : 0;

    public string ReadGoodbyeText(ReadOnlySpan<byte> payload)
    {
        WireCodec.ReadGoodbye(payload, out var text);
        return text;
    }

    public abstract int Receive(Span<byte> buffer);
    public abstract void Send(ReadOnlySpan<byte> records);
    public abstract void Flush();
    public abstract bool CanSendNow { get; }
    public abstract void Shutdown();
    public abstract void Dispose();
}
