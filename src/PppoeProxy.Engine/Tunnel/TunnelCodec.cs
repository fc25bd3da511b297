using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

public enum TunnelRecordKind { Frame, Ping, Pong, Goodbye, Unknown }

public enum TunnelMode
{
    /// <summary>Our protocol v1: handshake, TLS by default.</summary>
    V1,
    /// <summary>Byte-compatible with the Go pppoeproxy: no handshake, plain text.</summary>
    Legacy,
}

/// <summary>The record format of one connection, so links and engines need not care which protocol runs.</summary>
public abstract class TunnelCodec
{
    public static TunnelCodec For(TunnelMode mode) => mode == TunnelMode.V1 ? new V1TunnelCodec() : new LegacyTunnelCodec();

    public abstract TunnelMode Mode { get; }
    public abstract int MaxRecordSize { get; }
    public abstract int MaxFrameLength { get; }
    public abstract int WriteFrame(Span<byte> destination, ReadOnlySpan<byte> frame, ushort etherType);
    public abstract int WritePing(Span<byte> destination, ulong token);
    public abstract int WritePong(Span<byte> destination, ulong token);
    /// <summary>0 when the protocol has no goodbye record (legacy).</summary>
    public abstract int WriteGoodbye(Span<byte> destination, string text);
    public abstract RecordStatus TryRead(ReadOnlySpan<byte> buffer, out TunnelRecordKind kind, out ReadOnlySpan<byte> payload, out int consumed);
}

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
            _ => TunnelRecordKind.Unknown,
        };
        return status;
    }
}

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
