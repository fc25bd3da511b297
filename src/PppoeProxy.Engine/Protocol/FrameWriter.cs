using System.Buffers.Binary;

namespace PppoeProxy.Engine.Protocol;

/// <summary>Span writers shared by the frame model and the forwarding path.</summary>
public static class FrameWriter
{
    public static int WriteEthernetHeader(Span<byte> destination, MacAddress dst, MacAddress src,
        ReadOnlySpan<VlanTag> vlans, ushort etherType)
    {
        dst.Write(destination);
        src.Write(destination[6..]);
        int offset = 12;
        foreach (var vlan in vlans)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], vlan.Tpid);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], vlan.Tci);
            offset += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], etherType);
        return offset + 2;
    }

    public static void WritePppoeHeader(Span<byte> destination, byte code, ushort sessionId, ushort length,
        byte version = 1, byte type = 1)
    {
        destination[0] = (byte)((version << 4) | (type & 0x0F));
        destination[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sessionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], length);
    }

    public static int WriteTag(Span<byte> destination, ushort type, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)value.Length);
        value.CopyTo(destination[4..]);
        return 4 + value.Length;
    }
}
