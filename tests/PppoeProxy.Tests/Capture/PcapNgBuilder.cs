using System.Buffers.Binary;

namespace PppoeProxy.Tests.Capture;

/// <summary>
/// Hand-built pcapng bytes for cases tools here don't produce: big-endian sections, if_tsresol
/// of nanoseconds, blocks the reader must skip, a second section and a simple packet block.
/// </summary>
internal static class PcapNgBuilder
{
    /// <summary>
    /// Section 1: interface (ns resolution), a name-resolution block, the first frames as enhanced
    /// packets one second apart, an interface-statistics block. Section 2: interface, last frame as a
    /// simple packet block (which has no timestamp).
    /// </summary>
    public static byte[] BigEndianNanosecond(byte[][] frames, long firstNanos)
    {
        var file = new List<byte>();
        file.AddRange(Block(0x0a0d0d0a, SectionBody()));
        file.AddRange(Block(1, InterfaceBody(snapLength: 0, tsresolNanoseconds: true)));
        file.AddRange(Block(4, new byte[] { 0, 0, 0, 0 })); // name resolution: just nrb_record_end
        for (int i = 0; i < frames.Length - 1; i++)
        {
            ulong nanos = (ulong)(firstNanos + i * 1_000_000_000L);
            var body = new List<byte>();
            body.AddRange(U32(0));
            body.AddRange(U32((uint)(nanos >> 32)));
            body.AddRange(U32((uint)nanos));
            body.AddRange(U32((uint)frames[i].Length));
            body.AddRange(U32((uint)frames[i].Length));
            body.AddRange(Padded(frames[i]));
            file.AddRange(Block(6, body.ToArray()));
        }
        file.AddRange(Block(5, U32(0).Concat(U32(0)).Concat(U32(0)).ToArray())); // interface statistics, no options
        file.AddRange(Block(0x0a0d0d0a, SectionBody()));
        file.AddRange(Block(1, InterfaceBody(snapLength: 65535, tsresolNanoseconds: false)));
        var last = frames[^1];
        file.AddRange(Block(3, U32((uint)last.Length).Concat(Padded(last)).ToArray()));
        return file.ToArray();
    }

    private static byte[] SectionBody() =>
        U32(0x1a2b3c4d).Concat(U16(1)).Concat(U16(0)).Concat(BitConverter.GetBytes(-1L)).ToArray(); // length unknown

    private static byte[] InterfaceBody(uint snapLength, bool tsresolNanoseconds)
    {
        var body = new List<byte>();
        body.AddRange(U16(1)); // LINKTYPE_ETHERNET
        body.AddRange(U16(0));
        body.AddRange(U32(snapLength));
        if (tsresolNanoseconds)
        {
            body.AddRange(U16(9));
            body.AddRange(U16(1));
            body.AddRange(new byte[] { 9, 0, 0, 0 }); // 10^-9, padded to 4
            body.AddRange(U16(0));
            body.AddRange(U16(0)); // opt_endofopt
        }
        return body.ToArray();
    }

    private static byte[] Block(uint type, byte[] body)
    {
        uint total = (uint)(12 + body.Length);
        return U32(type).Concat(U32(total)).Concat(body).Concat(U32(total)).ToArray();
    }

    private static byte[] Padded(byte[] data) => data.Concat(new byte[(4 - data.Length % 4) % 4]).ToArray();

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] U16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }
}
