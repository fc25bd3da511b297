using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PppoeProxy.Engine.Protocol;

/// <summary>
/// Finds and lowers the MSS option of TCP SYNs carried in PPPoE session frames (PPP IPv4 0x0021,
/// IPv6 0x0057), for MSS clamping. Reads a few header bytes per frame and allocates nothing; only a
/// SYN's option list is walked. The TCP checksum is updated incrementally (RFC 1624), never recomputed.
/// </summary>
public static class TcpMss
{
    private const int Ipv4MinHeader = 20, Ipv6Header = 40, TcpMinHeader = 20;
    private const byte Tcp = 6, TcpFlagSyn = 0x02, TcpFlagRst = 0x04, OptionEnd = 0, OptionNop = 1, OptionMss = 2;
    // More IPv6 extension headers than this before TCP is no real SYN: left alone, counted.
    private const int MaxExtensionHeaders = 8;

    /// <summary>
    /// Looks for a TCP SYN with an MSS option in a valid session frame. On <see cref="TcpSynProbe.HasMss"/>,
    /// <paramref name="mssOffset"/> and <paramref name="checksumOffset"/> are the frame offsets of the MSS value
    /// and the TCP checksum, and <paramref name="ipv6"/> tells the family.
    /// </summary>
    public static TcpSynProbe Probe(in FrameView frame, out int mssOffset, out int checksumOffset, out bool ipv6)
    {
        mssOffset = checksumOffset = 0;
        ipv6 = false;
        if (!frame.IsSessionStage || frame.PppProtocolFieldSize == 0) return TcpSynProbe.NotTcpSyn;
        ipv6 = frame.PppProtocol == PppProtocols.IPv6;
        if (!ipv6 && frame.PppProtocol != PppProtocols.IPv4) return TcpSynProbe.NotTcpSyn;
        var ip = frame.PppPacket;
        int ipStart = frame.PayloadOffset + frame.PppProtocolFieldSize;
        bool isTcp = ipv6 ? TryTcpOfIpv6(ip, out int tcpStart, out int tcpEnd, out var verdict) : TryTcpOfIpv4(ip, out tcpStart, out tcpEnd, out verdict);
        if (!isTcp) return verdict;
        var tcp = ip[tcpStart..tcpEnd];
        byte flags = tcp[13];
        if ((flags & TcpFlagSyn) == 0 || (flags & TcpFlagRst) != 0) return TcpSynProbe.NotTcpSyn;
        int headerLength = (tcp[12] >> 4) * 4;
        if (headerLength < TcpMinHeader || headerLength > tcp.Length) return TcpSynProbe.Unchecked;
        int at = TcpMinHeader;
        while (at < headerLength)
        {
            byte kind = tcp[at];
            if (kind == OptionEnd) break;
            if (kind == OptionNop) { at++; continue; }
            if (at + 1 >= headerLength) return TcpSynProbe.Unchecked;
            int length = tcp[at + 1];
            if (length < 2 || at + length > headerLength) return TcpSynProbe.Unchecked;
            if (kind == OptionMss)
            {
                if (length != 4) return TcpSynProbe.Unchecked;
                // The first MSS option, as Linux's TCPMSS target: a second one is no real stack's.
                mssOffset = ipStart + tcpStart + at + 2;
                checksumOffset = ipStart + tcpStart + 16;
                return TcpSynProbe.HasMss;
            }
            at += length;
        }
        return TcpSynProbe.NoMssOption;
    }

    /// <summary>The MSS value at <paramref name="mssOffset"/> (from <see cref="Probe"/>).</summary>
    public static ushort Read(ReadOnlySpan<byte> frame, int mssOffset) => BinaryPrimitives.ReadUInt16BigEndian(frame[mssOffset..]);

    /// <summary>Writes a new MSS and updates the TCP checksum incrementally (RFC 1624, eqn. 3).</summary>
    public static void Write(Span<byte> frame, int mssOffset, int checksumOffset, ushort mss)
    {
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(frame[mssOffset..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[mssOffset..], mss);
        // The checksum sums 16-bit words from the TCP header's start (the checksum field is at an even offset
        // from it): an MSS value at an odd offset (after a lone NOP) straddles two words, which adds its bytes
        // swapped.
        bool odd = ((mssOffset - checksumOffset) & 1) != 0;
        uint oldWord = odd ? BinaryPrimitives.ReverseEndianness(old) : old;
        uint newWord = odd ? BinaryPrimitives.ReverseEndianness(mss) : mss;
        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(frame[checksumOffset..]);
        uint sum = (uint)(ushort)~checksum + (ushort)~oldWord + newWord;
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(frame[checksumOffset..], (ushort)~sum);
    }

    // True with the TCP segment at [start, end) of the IP packet; else false with the verdict.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTcpOfIpv4(ReadOnlySpan<byte> ip, out int start, out int end, out TcpSynProbe verdict)
    {
        start = end = 0;
        verdict = TcpSynProbe.Unchecked;
        if (ip.Length < Ipv4MinHeader || ip[0] >> 4 != 4) return false;
        if (ip[9] != Tcp) { verdict = TcpSynProbe.NotTcpSyn; return false; }
        int headerLength = (ip[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (headerLength < Ipv4MinHeader || total < headerLength + TcpMinHeader || total > ip.Length) return false;
        // MF set or a fragment offset: a later fragment has no TCP header, and a first one is no SYN we change.
        if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3FFF) != 0) return false;
        start = headerLength;
        end = total;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTcpOfIpv6(ReadOnlySpan<byte> ip, out int start, out int end, out TcpSynProbe verdict)
    {
        start = end = 0;
        verdict = TcpSynProbe.Unchecked;
        if (ip.Length < Ipv6Header || ip[0] >> 4 != 6) return false;
        int payload = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        // Payload length 0 is a jumbogram (RFC 2675), which PPPoE cannot carry anyway.
        if (payload == 0 || Ipv6Header + payload > ip.Length) return false;
        end = Ipv6Header + payload;
        byte next = ip[6];
        int at = Ipv6Header;
        for (int headers = 0; next != Tcp; headers++)
        {
            switch (next)
            {
                // Hop-by-Hop, Routing, Destination Options: the same length rule; none protects the TCP header.
                case 0 or 43 or 60:
                    if (headers == MaxExtensionHeaders || at + 8 > end) return false;
                    next = ip[at];
                    at += (ip[at + 1] + 1) * 8;
                    break;
                // Fragment, AH (its ICV covers the TCP header), Mobility, HIP, Shim6, experiments: not walked.
                case 44 or 51 or 135 or 139 or 140 or 253 or 254:
                    return false;
                default:
                    verdict = TcpSynProbe.NotTcpSyn; // UDP, ICMPv6, ESP, No Next Header...
                    return false;
            }
        }
        if (at + TcpMinHeader > end) return false;
        start = at;
        return true;
    }
}
