using System.Buffers.Binary;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Protocol;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// The clamp without external tools: the incremental checksum equals a full recompute at every option offset,
/// the tracker's MTU follows LCP Configure-Acks, the frame path allocates nothing, the stats say what it did.
/// </summary>
public class MssClamperTests
{
    private const byte Syn = 0x02, Ack = 0x10, Rst = 0x04;

    [Fact]
    public void TheIncrementalChecksumEqualsAFullRecomputeAtEveryOptionOffset()
    {
        var random = new Random(14);
        var clamper = new MssClamper(MssClampSetting.Fixed(1000));
        var scratch = new byte[2048];
        for (int nops = 0; nops < 8; nops++)
        {
            for (int trial = 0; trial < 50; trial++)
            {
                var options = Enumerable.Repeat((byte)1, nops).Concat(new byte[] { 2, 4 }).Concat(RawFrames.U16((ushort)random.Next(1001, 65536))).ToArray();
                var frame = Frame(Ipv4Tcp(Syn, options, payload: RandomBytes(random, random.Next(0, 40))));
                int length = clamper.Clamp(FrameView.Parse(frame), frame, scratch, new SessionTracker());
                Assert.Equal(frame.Length, length);
                var clamped = scratch[..length];
                var tcp = clamped.AsSpan(FrameView.EthernetHeaderLength + FrameView.PppoeHeaderLength + 2 + 20);
                Assert.Equal(1000, BinaryPrimitives.ReadUInt16BigEndian(tcp[(20 + nops + 2)..]));
                Assert.Equal(TcpChecksum(tcp, clamped.AsSpan(FrameView.EthernetHeaderLength + FrameView.PppoeHeaderLength + 2)), BinaryPrimitives.ReadUInt16BigEndian(tcp[16..]));
            }
        }
    }

    [Fact]
    public void NonSynRstAndSmallMssFramesAreNeverCopiedOrChanged()
    {
        var clamper = new MssClamper(MssClampSetting.Auto);
        var mss = new byte[] { 2, 4, 0x05, 0xb4 };
        foreach (var flags in new[] { Ack, (byte)(Syn | Rst), (byte)0 })
        {
            var frame = Frame(Ipv4Tcp(flags, mss));
            Assert.Equal(-1, clamper.Clamp(FrameView.Parse(frame), frame, new byte[2048], new SessionTracker()));
        }
        var small = Frame(Ipv4Tcp(Syn, new byte[] { 2, 4, 0x05, 0x00 }));
        Assert.Equal(-1, clamper.Clamp(FrameView.Parse(small), small, new byte[2048], new SessionTracker()));
        Assert.Equal(new MssClampStatus("auto", 0, 1, 0, 0), clamper.Snapshot());
    }

    [Fact]
    public void TheTrackersMtuIsTheSmallerAckedMruAndFollowsRenegotiation()
    {
        var tracker = new SessionTracker();
        var session = Frame(Ipv4Tcp(Syn, new byte[] { 2, 4, 0x05, 0xb4 }));
        Assert.Equal(PppoeSession.DefaultMtu, tracker.MtuOf(FrameView.Parse(session)));
        Observe(tracker, LcpAck(fromAc: true, mru: 1454), FrameDirection.FromAc);      // the AC accepts the client's MRU 1454
        Observe(tracker, LcpAck(fromAc: false, mru: null), FrameDirection.FromClient); // the client accepts the AC's request, no MRU
        Assert.Equal(1454, tracker.MtuOf(FrameView.Parse(session)));
        var clamper = new MssClamper(MssClampSetting.Auto);
        var scratch = new byte[2048];
        Assert.Equal(session.Length, clamper.Clamp(FrameView.Parse(session), session, scratch, tracker));
        Assert.Equal(1414, BinaryPrimitives.ReadUInt16BigEndian(scratch.AsSpan(FrameView.EthernetHeaderLength + FrameView.PppoeHeaderLength + 2 + 20 + 22)));
        // LCP renegotiated, this time without an MRU: the default again.
        Observe(tracker, LcpAck(fromAc: true, mru: null), FrameDirection.FromAc);
        Assert.Equal(PppoeSession.DefaultMtu, tracker.MtuOf(FrameView.Parse(session)));
        // A tiny agreed MRU never lowers an MSS below 536.
        Observe(tracker, LcpAck(fromAc: true, mru: 300), FrameDirection.FromAc);
        Assert.Equal(session.Length, clamper.Clamp(FrameView.Parse(session), session, scratch, tracker));
        Assert.Equal(536, BinaryPrimitives.ReadUInt16BigEndian(scratch.AsSpan(FrameView.EthernetHeaderLength + FrameView.PppoeHeaderLength + 2 + 20 + 22)));
    }

    [Fact]
    public void TheFramePathAllocatesNothingForSynsOrOtherFrames()
    {
        var tracker = new SessionTracker();
        Observe(tracker, LcpAck(fromAc: true, mru: 1454), FrameDirection.FromAc);
        var syn = Frame(Ipv4Tcp(Syn, new byte[] { 1, 2, 4, 0x05, 0xb4, 1, 1, 1 }));
        var ack = Frame(Ipv4Tcp(Ack, Array.Empty<byte>(), payload: new byte[1400]));
        var clamper = new MssClamper(MssClampSetting.Auto);
        var scratch = new byte[2048];
        void Both()
        {
            clamper.Clamp(FrameView.Parse(syn), syn, scratch, tracker);
            clamper.Clamp(FrameView.Parse(ack), ack, scratch, tracker);
        }
        Both(); // JIT first
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) Both();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_001, clamper.Snapshot().Clamped);
    }

    [Fact]
    public void HostileIpAndTcpHeadersNeverThrowAndOnlyMssAndChecksumEverChange()
    {
        var random = new Random(1414);
        var clamper = new MssClamper(MssClampSetting.Fixed(536));
        var scratch = new byte[2048];
        int clamped = 0;
        for (int i = 0; i < 20_000; i++)
        {
            // A real SYN (so some get through), then random bytes over random parts of it: versions, lengths,
            // next headers, data offsets, option kinds and lengths.
            var packet = random.Next(2) == 0
                ? Ipv4Tcp(Syn, new byte[] { 2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7 })
                : Ipv6Tcp(new byte[] { 1, 2, 4, 0x05, 0xa0, 4, 2 });
            for (int k = random.Next(0, 4); k > 0; k--) packet[random.Next(packet.Length)] = (byte)random.Next(256);
            var frame = RawFrames.Session(0x42, RawFrames.U16(packet[0] >> 4 == 6 ? PppProtocols.IPv6 : PppProtocols.IPv4).Concat(packet).ToArray());
            var view = FrameView.Parse(frame);
            if (!view.IsValid) continue;
            int length = clamper.Clamp(view, frame, scratch, new SessionTracker());
            if (length < 0) continue;
            clamped++;
            Assert.Equal(frame.Length, length);
            int changed = frame.Zip(scratch).Count(p => p.First != p.Second);
            Assert.InRange(changed, 1, 4); // two MSS bytes and two checksum bytes at most
        }
        Assert.InRange(clamped, 1000, 20_000); // the corpus does reach the rewrite
        var counts = clamper.Snapshot();
        Assert.True(counts.Unchecked > 0 && counts.NoMssOption > 0, counts.ToString());
    }

    [Fact]
    public void StatsLinesSayWhatTheClampDidOnlyWhenItIsOn()
    {
        var status = new ProxyStatus("client", "eth0", "x:1", "plain text", "transparent", [], [],
            new TunnelCountersSnapshot(0, 0, 0, 0, new Dictionary<string, long>()), []);
        Assert.DoesNotContain(status.StatsLines(), l => l.Contains("mss clamp"));
        var on = status with { MssClamp = new MssClampStatus("auto", 3, 1, 2, 0) };
        Assert.Contains("  mss clamp auto: 3 SYN(s) clamped, 1 already small enough, 2 without MSS option, 0 IP packet(s) not checked", on.StatsLines());
    }

    private static void Observe(SessionTracker tracker, byte[] frame, FrameDirection direction) =>
        tracker.Observe(FrameView.Parse(frame), DateTimeOffset.UtcNow, "t", direction);

    private static byte[] LcpAck(bool fromAc, int? mru)
    {
        var options = mru is int value ? new byte[] { 1, 4 }.Concat(RawFrames.U16((ushort)value)).ToArray() : new byte[] { 5, 6, 1, 2, 3, 4 };
        var ppp = RawFrames.U16(PppProtocols.Lcp).Concat(RawFrames.Control(2, 1, options)).ToArray();
        return fromAc ? RawFrames.Session(0x42, ppp, src: RawFrames.Ac, dst: RawFrames.Client) : RawFrames.Session(0x42, ppp);
    }

    private static byte[] Frame(byte[] ipv4) => RawFrames.Session(0x42, RawFrames.U16(PppProtocols.IPv4).Concat(ipv4).ToArray());

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>An IPv4 packet with a TCP segment (options padded with NOPs to 32 bits), both checksums right.</summary>
    private static byte[] Ipv4Tcp(byte flags, byte[] options, byte[]? payload = null)
    {
        payload ??= Array.Empty<byte>();
        var padded = options.Concat(Enumerable.Repeat((byte)1, (4 - options.Length % 4) % 4)).ToArray();
        int tcpLength = 20 + padded.Length + payload.Length;
        var ip = new byte[20 + tcpLength];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        ip[8] = 64;
        ip[9] = 6;
        new byte[] { 192, 0, 2, 1, 198, 51, 100, 1 }.CopyTo(ip, 12);
        var tcp = ip.AsSpan(20);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 443);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 1000);
        tcp[12] = (byte)((20 + padded.Length) / 4 << 4);
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 64240);
        padded.CopyTo(tcp[20..]);
        payload.CopyTo(tcp[(20 + padded.Length)..]);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], TcpChecksum(tcp, ip));
        return ip;
    }

    /// <summary>An IPv6 packet with a TCP SYN (checksum not computed: only the bytes the clamp changes matter here).</summary>
    private static byte[] Ipv6Tcp(byte[] options)
    {
        var padded = options.Concat(Enumerable.Repeat((byte)1, (4 - options.Length % 4) % 4)).ToArray();
        var ip = new byte[40 + 20 + padded.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(20 + padded.Length));
        ip[6] = 6;
        ip[7] = 64;
        ip[40 + 12] = (byte)((20 + padded.Length) / 4 << 4);
        ip[40 + 13] = Syn;
        padded.CopyTo(ip, 60);
        return ip;
    }

    // The full RFC 793 checksum over the pseudo header and the segment, with the checksum field taken as zero.
    private static ushort TcpChecksum(ReadOnlySpan<byte> tcp, ReadOnlySpan<byte> ip)
    {
        long sum = 0;
        for (int i = 12; i < 20; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
        sum += 6 + tcp.Length;
        for (int i = 0; i < tcp.Length; i += 2)
        {
            if (i == 16) continue;
            sum += i + 1 < tcp.Length ? BinaryPrimitives.ReadUInt16BigEndian(tcp[i..]) : tcp[i] << 8;
        }
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
