using System.Buffers.Binary;

namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>Writes and parses legacy records. Same shape as <see cref="WireCodec"/>: allocation-free, the reader never throws.</summary>
public static class LegacyCodec
{
    /// <summary>The Go program's receive buffer; anything longer makes it drop the connection.</summary>
    public const int MaxRecordPayload = 4096;

    /// <summary>2-byte type plus a 2-byte varint (4096 needs 13 bits).</summary>
    public const int MaxHeaderSize = 4;

    public const int MaxRecordSize = MaxHeaderSize + MaxRecordPayload;

    private const int MaxVarintBytes = 10;

    /// <summary>Maps a PPPoE EtherType to the record type that carries it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 0x8863 or 0x8864.</exception>
    public static LegacyRecordType ForEtherType(ushort etherType) => etherType switch
    {
        0x8863 => LegacyRecordType.Discovery,
        0x8864 => LegacyRecordType.Session,
        _ => throw new ArgumentOutOfRangeException(nameof(etherType), $"EtherType 0x{etherType:x4} is not PPPoE (0x8863/0x8864)"),
    };

    /// <summary>Bytes a record with this payload length takes (the varint is 1 byte below 128, else 2).</summary>
    public static int RecordSize(int payloadLength) => 2 + VarintSize((uint)payloadLength) + payloadLength;

    /// <summary>Writes one record; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">Payload over 4096 bytes (the Go peer would disconnect) or destination too small.</exception>
    public static int WriteRecord(Span<byte> destination, LegacyRecordType type, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxRecordPayload)
            throw new ArgumentException($"payload of {payload.Length} bytes exceeds the legacy limit of {MaxRecordPayload}", nameof(payload));
        int size = RecordSize(payload.Length);
        if (destination.Length < size)
            throw new ArgumentException($"destination has {destination.Length} bytes, record needs {size}", nameof(destination));
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)type);
        int at = 2;
        uint length = (uint)payload.Length;
        while (length >= 0x80)
        {
            destination[at++] = (byte)(length | 0x80);
            length >>= 7;
        }
        destination[at++] = (byte)length;
        payload.CopyTo(destination[at..]);
        return size;
    }

    /// <summary>
    /// Parses the record at the front of <paramref name="buffer"/>. On Ok and UnknownType,
    /// <paramref name="payload"/> slices the buffer and <paramref name="consumed"/> is the record's
    /// size; otherwise consumed is 0. Oversized is reported as soon as the varint shows it.
    /// </summary>
    public static RecordStatus TryReadRecord(ReadOnlySpan<byte> buffer, out LegacyRecordType type, out ReadOnlySpan<byte> payload, out int consumed)
    {
        type = default;
        payload = default;
        consumed = 0;
        if (buffer.Length < 3) return RecordStatus.NeedMoreData;
        type = (LegacyRecordType)BinaryPrimitives.ReadUInt16BigEndian(buffer);

        int length = 0;
        int at = 2;
        for (int shift = 0; ; shift += 7)
        {
            if (at - 2 == MaxVarintBytes) return RecordStatus.Malformed;
            if (at == buffer.Length) return RecordStatus.NeedMoreData;
            byte b = buffer[at++];
            int group = b & 0x7F;
            // Any set bit at 2^14 or above means > 4096; stop accumulating so nothing overflows.
            if (group != 0 && shift >= 14) return RecordStatus.Oversized;
            length |= group << shift;
            if (length > MaxRecordPayload) return RecordStatus.Oversized;
            if ((b & 0x80) == 0) break;
        }

        if (buffer.Length - at < length) return RecordStatus.NeedMoreData;
        payload = buffer.Slice(at, length);
        consumed = at + length;
        return (ushort)type <= (ushort)LegacyRecordType.Session ? RecordStatus.Ok : RecordStatus.UnknownType;
    }

    private static int VarintSize(uint value)
    {
        int size = 1;
        while (value >= 0x80) { value >>= 7; size++; }
        return size;
    }
}
