namespace PppoeProxy.Tests.Integration;

/// <summary>
/// The UDP payloads of an Ethernet (loopback) IPv4 pcap, with their destination port, in capture order.
/// A UDP GSO send (UDP_SEGMENT) shows on lo as one packet that the receiving socket gets as several
/// datagrams: it is split back into them (see <see cref="Segments"/>).
/// </summary>
public static class PcapUdpPayloads
{
    private const int OuterHeaderBytes = 9; // marker and connection id, at the start of each of our datagrams

    /// <summary>
    /// The datagrams one captured payload stands for: every segment of a GSO send is the same size (the last
    /// may be shorter) and starts with our outer header, so the segment size is where that header repeats.
    /// </summary>
    public static IEnumerable<byte[]> Segments(byte[] payload)
    {
        int size = payload.Length;
        if (payload.Length > OuterHeaderBytes)
        {
            var header = payload.AsSpan(0, OuterHeaderBytes);
            for (int at = OuterHeaderBytes; at + OuterHeaderBytes <= payload.Length; at++)
                if (payload.AsSpan(at, OuterHeaderBytes).SequenceEqual(header)) { size = at; break; }
        }
        for (int at = 0; at < payload.Length; at += size) yield return payload[at..Math.Min(at + size, payload.Length)];
    }

    public static IReadOnlyList<(int SourcePort, int DestinationPort, byte[] Payload)> Read(byte[] pcap)
    {
        var result = new List<(int, int, byte[])>();
        int offset = 24;
        while (offset + 16 <= pcap.Length)
        {
            int captured = BitConverter.ToInt32(pcap, offset + 8);
            int frame = offset + 16;
            offset = frame + captured;
            if (offset > pcap.Length || captured < 14 + 20 + 8) break;
            if (pcap[frame + 12] != 0x08 || pcap[frame + 13] != 0x00) continue; // IPv4 only
            int ip = frame + 14;
            int ihl = (pcap[ip] & 0x0F) * 4;
            if (pcap[ip + 9] != 17) continue; // UDP
            int udp = ip + ihl;
            int length = (pcap[udp + 4] << 8 | pcap[udp + 5]) - 8;
            if (udp + 8 + length > offset) continue;
            foreach (var datagram in Segments(pcap.AsSpan(udp + 8, length).ToArray()))
                result.Add((pcap[udp] << 8 | pcap[udp + 1], pcap[udp + 2] << 8 | pcap[udp + 3], datagram));
        }
        return result;
    }
}
