using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

internal sealed class LegacyTunnelCodec : TunnelCodec
{
    public override TunnelMode Mode => TunnelMode.Legacy;
    public override int MaxRecordSize => LegacyCodec.MaxRecordSize;
    public override int MaxFrameLength => LegacyCodec.MaxRecordPayload;

    public override int WriteFrame(Span<byte> destination, ReadOnlySpan<byte> frame, ushort etherType) =>
        LegacyCodec.WriteRecord(destination, etherType == EtherTypes.PppoeDiscovery ? LegacyRecordType.Discovery : LegacyRecordType.Session, frame);

    // The Go program's ping carries no payload that anyone reads.
    public override int WritePing(Span<byte> destination, ulong token) => LegacyCodec.WriteRecord(destination, LegacyRecordType.Ping, default);
    public override int WritePong(Span<byte> destination, ulong token) => LegacyCodec.WriteRecord(destination, LegacyRecordType.Pong, default);
    public override int WriteGoodbye(Span<byte> destination, string text) => 0;

    public override RecordStatus TryRead(ReadOnlySpan<byte> buffer, out TunnelRecordKind kind, out ReadOnlySpan<byte> payload, out int consumed)
    {
        var status = LegacyCodec.TryReadRecord(buffer, out var type, out payload, out consumed);
        kind = type switch
        {
            LegacyRecordType.Discovery or LegacyRecordType.Session => TunnelRecordKind.Frame,
            LegacyRecordType.Ping => TunnelRecordKind.Ping,
            LegacyRecordType.Pong => TunnelRecordKind.Pong,
            _ => TunnelRecordKind.Unknown,
        };
        return status;
    }
}
