using System.Buffers.Binary;
using System.Text;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Tests.Protocol;

/// <summary>
/// Builds frames byte by byte, independently of the codec's own writer, so parser tests
/// don't just check the codec against itself.
/// </summary>
internal static class RawFrames
{
    public static readonly MacAddress Client = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress Ac = MacAddress.Parse("02:00:00:00:00:02");

    public static byte[] Ethernet(MacAddress dst, MacAddress src, (ushort Tpid, ushort Tci)[] vlans, ushort etherType, byte[] rest)
    {
        var bytes = new List<byte>();
        bytes.AddRange(dst.ToBytes());
        bytes.AddRange(src.ToBytes());
        foreach (var (tpid, tci) in vlans) { bytes.AddRange(U16(tpid)); bytes.AddRange(U16(tci)); }
        bytes.AddRange(U16(etherType));
        bytes.AddRange(rest);
        return bytes.ToArray();
    }

    public static byte[] Pppoe(byte verType, byte code, ushort sessionId, byte[] payload, int? lengthField = null, int padding = 0)
    {
        var bytes = new List<byte> { verType, code };
        bytes.AddRange(U16(sessionId));
        bytes.AddRange(U16((ushort)(lengthField ?? payload.Length)));
        bytes.AddRange(payload);
        bytes.AddRange(new byte[padding]);
        return bytes.ToArray();
    }

    public static byte[] Tag(ushort type, byte[] value, int? lengthField = null) =>
        U16(type).Concat(U16((ushort)(lengthField ?? value.Length))).Concat(value).ToArray();

    public static byte[] Tag(ushort type, string text) => Tag(type, Encoding.UTF8.GetBytes(text));

    public static byte[] Discovery(byte code, ushort sessionId, params byte[][] tags) =>
        Ethernet(Ac, Client, Array.Empty<(ushort, ushort)>(), EtherTypes.PppoeDiscovery,
            Pppoe(0x11, code, sessionId, tags.SelectMany(t => t).ToArray()));

    /// <summary>A control packet (LCP/PAP/CHAP/IPCP/IPv6CP): code, identifier, length, data.</summary>
    public static byte[] Control(byte code, byte identifier, byte[] data, int? lengthField = null) =>
        new[] { code, identifier }.Concat(U16((ushort)(lengthField ?? 4 + data.Length))).Concat(data).ToArray();

    public static byte[] Session(ushort sessionId, byte[] ppp, (ushort, ushort)[]? vlans = null, int padding = 0,
        MacAddress? src = null, MacAddress? dst = null) =>
        Ethernet(dst ?? Ac, src ?? Client, vlans ?? Array.Empty<(ushort, ushort)>(), EtherTypes.PppoeSession,
            Pppoe(0x11, 0, sessionId, ppp, padding: padding));

    public static byte[] U16(ushort value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        return b;
    }
}
