using System.Text;

namespace PackageBench;

/// <summary>
/// The frames every decoder is judged on, built byte by byte here (not with the engine's writer) so
/// neither codec under test made its own input. tshark is the oracle for what they contain.
/// </summary>
public static class Corpus
{
    public sealed record Sample(string Name, byte[] Bytes, bool Malformed);

    private static readonly byte[] ClientMac = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
    private static readonly byte[] ServerMac = { 0x00, 0x1b, 0x21, 0xaa, 0x00, 0x01 };
    private static readonly byte[] Broadcast = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    private static readonly byte[] HostUniq = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x2a };
    private static readonly byte[] Cookie = Enumerable.Range(0x40, 16).Select(i => (byte)i).ToArray();

    public static IReadOnlyList<Sample> All { get; } = Build();

    public static IReadOnlyList<Sample> WellFormed { get; } = All.Where(s => !s.Malformed).ToArray();

    private static List<Sample> Build()
    {
        var vendor = Concat(new byte[] { 0x00, 0x00, 0x0d, 0xe9 }, SubTag(1, "eth 1/1/1:100"), SubTag(2, "user42"));
        var padiTags = Concat(Tag(0x0101, ""), Tag(0x0103, HostUniq));
        var list = new List<Sample>
        {
            new("PADI", Pad(Frame(Broadcast, ClientMac, 0x8863, Pppoe(0x09, 0, padiTags))), false),
            new("PADO tags+TR-101", Frame(ClientMac, ServerMac, 0x8863, Pppoe(0x07, 0, Concat(Tag(0x0102, "BRAS01"),
                Tag(0x0101, "internet"), Tag(0x0103, HostUniq), Tag(0x0104, Cookie), Tag(0x0105, vendor)))), false),
            new("PADR", Frame(ServerMac, ClientMac, 0x8863, Pppoe(0x19, 0, Concat(Tag(0x0101, "internet"),
                Tag(0x0103, HostUniq), Tag(0x0104, Cookie)))), false),
            new("PADS", Pad(Frame(ClientMac, ServerMac, 0x8863, Pppoe(0x65, 0x1234, Concat(Tag(0x0101, "internet"),
                Tag(0x0103, HostUniq))))), false),
            new("PADT Generic-Error", Pad(Frame(ServerMac, ClientMac, 0x8863, Pppoe(0xa7, 0x1234, Tag(0x0203, "ghost session")))), false),
            new("LCP Configure-Request", Pad(Frame(ServerMac, ClientMac, 0x8864, Pppoe(0, 0x1234,
                Ppp(0xc021, Control(0x01, 0x01, new byte[] { 0x01, 0x04, 0x05, 0xd4, 0x05, 0x06, 0x12, 0x34, 0x56, 0x78 }))))), false),
            new("PAP Authenticate-Request", Frame(ServerMac, ClientMac, 0x8864, Pppoe(0, 0x1234,
                Ppp(0xc023, Control(0x01, 0x02, Concat(LengthPrefixed("user@isp"), LengthPrefixed("not-a-secret")))))), false),
            new("CHAP Challenge", Frame(ClientMac, ServerMac, 0x8864, Pppoe(0, 0x1234,
                Ppp(0xc223, Control(0x01, 0x03, Concat(new byte[] { 16 }, Cookie, Encoding.ASCII.GetBytes("BRAS01")))))), false),
            new("IPCP Configure-Request", Pad(Frame(ServerMac, ClientMac, 0x8864, Pppoe(0, 0x1234,
                Ppp(0x8021, Control(0x01, 0x04, new byte[] { 0x03, 0x06, 10, 0, 0, 1 }))))), false),
            new("IPv4 data", Frame(ServerMac, ClientMac, 0x8864, Pppoe(0, 0x1234, Ppp(0x0021, Ipv4()))), false),
            new("802.1Q PADI", Pad(Frame(Broadcast, ClientMac, 0x8863, Pppoe(0x09, 0, padiTags), (0x8100, 100))), false),
            new("QinQ 88a8 LCP Echo", Pad(Frame(ClientMac, ServerMac, 0x8864, Pppoe(0, 0x0042,
                Ppp(0xc021, Control(0x09, 0x07, new byte[] { 0x12, 0x34, 0x56, 0x78 }))), (0x88a8, 200), (0x8100, 300))), false),
            new("QinQ 9100 PADT", Pad(Frame(ServerMac, ClientMac, 0x8863, Pppoe(0xa7, 0x0042, Array.Empty<byte>()),
                (0x9100, 10), (0x8100, 20))), false),
            new("bad: length past frame", Frame(ClientMac, ServerMac, 0x8863, Pppoe(0x07, 0, Tag(0x0102, "BRAS01"), lengthOverride: 200)), true),
            new("bad: tag past length", Frame(Broadcast, ClientMac, 0x8863, Pppoe(0x09, 0,
                Concat(new byte[] { 0x01, 0x03, 0x00, 0x32 }, HostUniq))), true),
            new("bad: truncated PPPoE header", Frame(Broadcast, ClientMac, 0x8863, new byte[] { 0x11, 0x09, 0x00 }), true),
            new("bad: version/type 0x22", Pad(Frame(Broadcast, ClientMac, 0x8863, Pppoe(0x09, 0, padiTags, versionType: 0x22))), true),
            new("bad: LCP length 40", Frame(ServerMac, ClientMac, 0x8864, Pppoe(0, 0x1234,
                Ppp(0xc021, new byte[] { 0x01, 0x01, 0x00, 40, 0x01, 0x04, 0x05, 0xd4 }))), true),
        };
        return list;
    }

    public static byte[] Frame(byte[] dst, byte[] src, ushort etherType, byte[] pppoe, params (ushort Tpid, ushort Id)[] vlans)
    {
        var header = new List<byte>(dst.Concat(src));
        foreach (var (tpid, id) in vlans) header.AddRange(new[] { Hi(tpid), Lo(tpid), Hi(id), Lo(id) });
        header.AddRange(new[] { Hi(etherType), Lo(etherType) });
        return Concat(header.ToArray(), pppoe);
    }

    public static byte[] Pppoe(byte code, ushort sessionId, byte[] payload, int? lengthOverride = null, byte versionType = 0x11)
    {
        int length = lengthOverride ?? payload.Length;
        return Concat(new[] { versionType, code, Hi(sessionId), Lo(sessionId), Hi(length), Lo(length) }, payload);
    }

    public static byte[] Tag(ushort type, string text) => Tag(type, Encoding.UTF8.GetBytes(text));

    public static byte[] Tag(ushort type, byte[] value) =>
        Concat(new[] { Hi(type), Lo(type), Hi(value.Length), Lo(value.Length) }, value);

    private static byte[] SubTag(byte type, string text)
    {
        var value = Encoding.ASCII.GetBytes(text);
        return Concat(new[] { type, (byte)value.Length }, value);
    }

    private static byte[] LengthPrefixed(string text)
    {
        var value = Encoding.ASCII.GetBytes(text);
        return Concat(new[] { (byte)value.Length }, value);
    }

    private static byte[] Ppp(ushort protocol, byte[] packet) => Concat(new[] { Hi(protocol), Lo(protocol) }, packet);

    private static byte[] Control(byte code, byte identifier, byte[] data) =>
        Concat(new[] { code, identifier, Hi(4 + data.Length), Lo(4 + data.Length) }, data);

    // 20-byte IPv4 header (protocol 253, RFC 3692 experimental) and 8 bytes of data, checksum filled in.
    private static byte[] Ipv4()
    {
        var ip = new byte[] { 0x45, 0, 0, 28, 0, 1, 0, 0, 64, 253, 0, 0, 198, 51, 100, 7, 203, 0, 113, 9, 1, 2, 3, 4, 5, 6, 7, 8 };
        int sum = 0;
        for (int i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        ip[10] = Hi(~sum); ip[11] = Lo(~sum);
        return ip;
    }

    // Ethernet minimum (60 bytes without FCS): the padding a real NIC adds after short PPPoE frames.
    private static byte[] Pad(byte[] frame) => frame.Length >= 60 ? frame : Concat(frame, new byte[60 - frame.Length]);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte Hi(int value) => (byte)(value >> 8);
    private static byte Lo(int value) => (byte)value;
}
