using System.Buffers.Binary;

namespace PppoeProxy.Engine.Protocol;

/// <summary>In-place and copy edits the relay (rewrite mode) and the PADT paths need; no allocation.</summary>
public static class FrameEditing
{
    public static void SetDestination(Span<byte> frame, MacAddress mac) => mac.Write(frame);

    public static void SetSource(Span<byte> frame, MacAddress mac) => mac.Write(frame[6..]);

    /// <summary>
    /// Copies a discovery frame into <paramref name="destination"/> with one more tag appended and
    /// the PPPoE length fixed. Ethernet padding is dropped (the kernel pads short frames again).
    /// Returns the new length, or -1 if the frame is not a valid discovery frame or does not fit.
    /// </summary>
    public static int AppendTag(in FrameView frame, Span<byte> destination, ushort type, ReadOnlySpan<byte> value)
    {
        if (!frame.IsDiscovery || !frame.IsValid) return -1;
        int payloadEnd = frame.PayloadOffset + frame.PayloadAvailable;
        int length = payloadEnd + 4 + value.Length;
        if (length > destination.Length || frame.LengthField + 4 + value.Length > ushort.MaxValue) return -1;
        frame.Bytes[..payloadEnd].CopyTo(destination);
        FrameWriter.WriteTag(destination[payloadEnd..], type, value);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(frame.PppoeOffset + 4)..], (ushort)(frame.LengthField + 4 + value.Length));
        return length;
    }

    /// <summary>
    /// Copies a discovery frame without the first tag of <paramref name="type"/> whose value equals
    /// <paramref name="value"/>. Returns the new length, or -1 when there is no such tag.
    /// </summary>
    public static int RemoveTag(in FrameView frame, Span<byte> destination, ushort type, ReadOnlySpan<byte> value)
    {
        if (!frame.IsDiscovery || !frame.IsValid) return -1;
        var payload = frame.Payload;
        int position = 0;
        while (position + 4 <= payload.Length)
        {
            ushort tagType = BinaryPrimitives.ReadUInt16BigEndian(payload[position..]);
            int tagLength = BinaryPrimitives.ReadUInt16BigEndian(payload[(position + 2)..]);
            if (tagType == type && payload.Slice(position + 4, tagLength).SequenceEqual(value))
            {
                int removed = 4 + tagLength;
                int tagStart = frame.PayloadOffset + position;
                int payloadEnd = frame.PayloadOffset + frame.PayloadAvailable;
                int length = payloadEnd - removed;
                if (length > destination.Length) return -1;
                frame.Bytes[..tagStart].CopyTo(destination);
                frame.Bytes[(tagStart + removed)..payloadEnd].CopyTo(destination[tagStart..]);
                BinaryPrimitives.WriteUInt16BigEndian(destination[(frame.PppoeOffset + 4)..], (ushort)(frame.LengthField - removed));
                return length;
            }
            position += 4 + tagLength;
        }
        return -1;
    }
}
