using System.Buffers.Binary;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// Hostile SYNs for the clamp: random VLAN/QinQ tags, IPv4 header lengths, lying length fields, truncations,
/// odd option lists, IPv6 extension chains. Whatever comes, the clamp must not throw and may change only the
/// MSS value and the TCP checksum, keeping the segment's one's-complement sum (a valid checksum stays valid).
/// </summary>
public class MssClamperFuzzTests
{
    [Fact]
    public void RandomSynsNeverThrowAndChangeOnlyTheMssAndAChecksumThatStaysConsistent()
    {
        var random = new Random(1414);
        var clamper = new MssClamper(MssClampSetting.Fixed(536));
        var tracker = new SessionTracker();
        var scratch = new byte[FrameView.EthernetHeaderLength + 65535];
        int clamped = 0;
        for (int trial = 0; trial < 20000; trial++)
        {
            var frame = RandomFrame(random, out int ipStart, out bool ipv6);
            var view = FrameView.Parse(frame);
            if (!view.IsValid) continue;
            var before = (byte[])frame.Clone();
            int length = clamper.Clamp(view, frame, scratch, tracker);
            Assert.Equal(before, frame); // the source is never edited
            if (length < 0) continue;
            clamped++;
            Assert.Equal(frame.Length, length);
            var after = scratch.AsSpan(0, length).ToArray();
            var changed = Enumerable.Range(0, length).Where(i => after[i] != before[i]).ToList();
            Assert.InRange(changed.Count, 1, 4);
            Assert.Equal(TcpSum(before, ipStart, ipv6), TcpSum(after, ipStart, ipv6));
        }
        Assert.True(clamped > 1000, $"only {clamped} SYNs clamped: the generator is too hostile to test the edit");
    }

    private static byte[] RandomFrame(Random r, out int ipStart, out bool ipv6)
    {
        var f = new List<byte>();
        f.AddRange(new byte[] { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 });
        int tags = r.Next(3);
        for (int i = 0; i < tags; i++) f.AddRange(new byte[] { (byte)(i == 0 && tags == 2 ? 0x88 : 0x81), (byte)(i == 0 && tags == 2 ? 0xa8 : 0x00), 0, (byte)r.Next(1, 200) });
        f.AddRange(new byte[] { 0x88, 0x64, 0x11, 0, 0, 0x42, 0, 0 });
        int pppoeLengthAt = f.Count - 2;
        ipv6 = r.Next(3) == 0;
        f.AddRange(ipv6 ? new byte[] { 0, 0x57 } : new byte[] { 0, 0x21 });
        ipStart = f.Count;
        var tcp = RandomTcp(r);
        byte[] ip;
        if (ipv6)
        {
            var ext = new List<byte>();
            byte next = 6;
            for (int i = r.Next(3); i > 0; i--)
            {
                int len = r.Next(2);
                var h = new byte[(len + 1) * 8];
                h[0] = next; h[1] = (byte)len;
                next = (byte)(r.Next(4) == 0 ? 60 : 0);
                ext.InsertRange(0, h);
            }
            ip = new byte[40 + ext.Count + tcp.Length];
            ip[0] = 0x60; ip[6] = next; ip[7] = 64;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(ext.Count + tcp.Length));
            r.NextBytes(ip.AsSpan(8, 32));
            ext.CopyTo(ip, 40);
            tcp.CopyTo(ip, 40 + ext.Count);
        }
        else
        {
            int ihl = r.Next(4) == 0 ? r.Next(5, 16) : 5;
            ip = new byte[ihl * 4 + tcp.Length];
            ip[0] = (byte)(0x40 | ihl); ip[8] = 64; ip[9] = 6;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
            r.NextBytes(ip.AsSpan(12, 8));
            tcp.CopyTo(ip, ihl * 4);
        }
        FixChecksum(ip, ipv6);
        // Lies and damage, now and then: a wrong length field, a cut, trailing padding, a random byte.
        switch (r.Next(8))
        {
            case 0: BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(ipv6 ? 4 : 2), (ushort)r.Next(0, 2000)); break;
            case 1: ip = ip[..r.Next(0, ip.Length)]; break;
            case 2: ip = ip.Concat(new byte[r.Next(1, 30)]).ToArray(); break;
            case 3: ip[r.Next(ip.Length)] = (byte)r.Next(256); break;
        }
        f.AddRange(ip);
        int pppoeLength = f.Count - (pppoeLengthAt + 2);
        f[pppoeLengthAt] = (byte)(pppoeLength >> 8); f[pppoeLengthAt + 1] = (byte)pppoeLength;
        if (r.Next(6) == 0) f.AddRange(new byte[r.Next(1, 20)]); // Ethernet padding past the PPPoE length
        return f.ToArray();
    }

    private static byte[] RandomTcp(Random r)
    {
        var options = new List<byte>();
        int count = r.Next(0, 6);
        for (int i = 0; i < count; i++)
        {
            switch (r.Next(6))
            {
                case 0: options.Add(1); break;
                case 1: options.AddRange(new byte[] { 2, 4, (byte)r.Next(256), (byte)r.Next(256) }); break;
                case 2: options.AddRange(new byte[] { 4, 2 }); break;
                case 3: options.AddRange(new byte[] { 3, 3, 7 }); break;
                case 4: options.AddRange(new byte[] { 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 }); break;
                default: options.AddRange(new byte[] { (byte)r.Next(256), (byte)r.Next(256) }); break;
            }
        }
        if (r.Next(3) == 0) options.AddRange(new byte[] { 2, 4, 0xff, 0xd7 });
        while (options.Count % 4 != 0) options.Add(r.Next(2) == 0 ? (byte)0 : (byte)1);
        if (options.Count > 40) options.RemoveRange(40, options.Count - 40);
        var tcp = new byte[20 + options.Count + r.Next(0, 30)];
        r.NextBytes(tcp.AsSpan(0, 12));
        int offset = (20 + options.Count) / 4;
        if (r.Next(10) == 0) offset = r.Next(16);
        tcp[12] = (byte)(offset << 4);
        tcp[13] = (byte)(r.Next(5) == 0 ? r.Next(256) : 0x02 | (r.Next(2) == 0 ? 0x10 : 0));
        options.CopyTo(tcp, 20);
        return tcp;
    }

    // The TCP segment of an IPv4 or IPv6 packet (no extension headers counted in the pseudo-header length but the real one).
    private static int TcpStart(byte[] ip, bool ipv6)
    {
        if (!ipv6) return (ip[0] & 0x0F) * 4;
        int at = 40; byte next = ip[6];
        while (next != 6) { next = ip[at]; at += (ip[at + 1] + 1) * 8; }
        return at;
    }

    private static void FixChecksum(byte[] ip, bool ipv6)
    {
        int start = TcpStart(ip, ipv6);
        ip[start + 16] = ip[start + 17] = 0;
        uint sum = Sum(ip, start, ipv6, ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(start + 16), (ushort)~sum);
    }

    private static uint Sum(byte[] ip, int start, bool ipv6, int end)
    {
        uint sum = 0;
        int length = end - start;
        if (ipv6) { for (int i = 8; i < 40; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(ip.AsSpan(i)); }
        else { for (int i = 12; i < 20; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(ip.AsSpan(i)); }
        sum += 6 + (uint)length;
        for (int i = start; i < end; i += 2) sum += (uint)(ip[i] << 8 | (i + 1 < end ? ip[i + 1] : 0));
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return sum;
    }

    // The one's-complement sum over the clamped segment as the clamp saw it (its IP length field), 0 and 0xFFFF as one.
    private static uint TcpSum(byte[] frame, int ipStart, bool ipv6)
    {
        var ip = frame[ipStart..];
        int end = ipv6 ? 40 + BinaryPrimitives.ReadUInt16BigEndian(ip.AsSpan(4)) : BinaryPrimitives.ReadUInt16BigEndian(ip.AsSpan(2));
        uint sum = Sum(ip, TcpStart(ip, ipv6), ipv6, end);
        return sum == 0 ? 0xFFFF : sum;
    }
}
