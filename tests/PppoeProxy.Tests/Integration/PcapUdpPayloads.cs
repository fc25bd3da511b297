namespace PppoeProxy.Tests.Integration;

/// <summary>The UDP payloads of an Ethernet (loopback) IPv4 pcap, with their destination port, in capture order.</summary>
public static class PcapUdpPayloads
{
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
            result.Add((pcap[udp] << 8 | pcap[udp + 1], pcap[udp + 2] << 8 | pcap[udp + 3], pcap.AsSpan(udp + 8, length).ToArray()));
        }
        return result;
    }
}
