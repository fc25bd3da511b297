using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

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
