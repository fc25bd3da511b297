using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

internal sealed class V1TunnelCodec : TunnelCodec
{
    public override TunnelMode Mode => TunnelMode.V1;
    public override int MaxRecordSize => WireCodec.MaxRecordSize;
    public override int MaxFrameLength => WireCodec.MaxRecordPayload;
    public override int WriteFrame(Span<byte> destination, ReadOnlySpan<byte> frame, ushort etherType) => WireCodec.WriteFrameRecord(destination, frame);
    public override int WritePing(Span<byte> destination, ulong token) => WireCodec.WritePingRecord(destination, token);
    public override int WritePong(Span<byte> destination, ulong token) => WireCodec.WritePongRecord(destination, token);
    public override int WriteGoodbye(Span<byte> destination, string text) => WireCodec.WriteGoodbyeRecord(destination, GoodbyeReason.Shutdown, text);

    public override RecordStatus TryRead(ReadOnlySpan<byte> buffer, out TunnelRecordKind kind, out ReadOnlySpan<byte> payload, out int consumed)
    {
        var status = WireCodec.TryReadRecord(buffer, out var type, out payload, out consumed);
        kind = type switch
        {
            RecordType.Frame => TunnelRecordKind.Frame,
            RecordType.Ping => TunnelRecordKind.Ping,
            RecordType.Pong => TunnelRecordKind.Pong,
            RecordType.Goodbye => TunnelRecordKind.Goodbye,
            RecordType.Claims => TunnelRecordKind.Claims,
            _ => TunnelRecordKind.Unknown,
        };
        return status;
    }
}
