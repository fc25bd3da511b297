using System.Buffers.Binary;

namespace PppoeProxy.Tests.Protocol;

/// <summary>
/// Minimal classic-pcap reader/writer for tests only (Ethernet link type), kept apart from the
/// engine's capture code so the cross-checks don't depend on it.
/// </summary>
internal static class TestPcap
{
    public static void Write(string path, IEnumerable<byte[]> frames)
    {
        using var stream = File.Create(path);
        var header = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
        stream.Write(header);
        uint second = 1_700_000_000;
        foreach (var frame in frames)
        {
            var record = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(record, second++);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)frame.Length);
            stream.Write(record);
            stream.Write(frame);
        }
    }

    public static List<byte[]> Read(string path)
    {
        var data = File.ReadAllBytes(path);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        bool little = magic is 0xA1B2C3D4 or 0xA1B23C4D;
        if (!little && BinaryPrimitives.ReadUInt32BigEndian(data) is not (0xA1B2C3D4 or 0xA1B23C4D))
            throw new InvalidDataException($"{path}: not a classic pcap file");
        uint U32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
        if (U32(20) != 1) throw new InvalidDataException($"{path}: link type {U32(20)} is not Ethernet");
        var frames = new List<byte[]>();
        for (int at = 24; at + 16 <= data.Length;)
        {
            int captured = (int)U32(at + 8);
            frames.Add(data.AsSpan(at + 16, captured).ToArray());
            at += 16 + captured;
        }
        return frames;
    }
}
