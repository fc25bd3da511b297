// bench/mss: the frame path's cost per frame with --clamp-mss off and auto, for frames that are no SYN
// (TCP data, UDP, LCP) and for SYNs. Each pass parses the frame once, as an end does, then runs the clamp.
// Rounds alternate off/auto so machine noise hits both; each measures the thread's CPU time (not the wall clock:
// the machine is shared) over a batch of frames, and the best round counts (noise only ever adds time).
// Run: dotnet run -c Release --project bench/mss [ROUNDS]
using System.Buffers.Binary;
using PackageBench;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;

int rounds = args.Length > 0 ? int.Parse(args[0]) : 7;
var tracker = new SessionTracker();
var scratch = new byte[FrameView.EthernetHeaderLength + 65535];
var frames = new (string Name, byte[] Frame)[]
{
    ("IPv4 TCP data 1400 B", Session(0x0021, Ipv4Tcp(flags: 0x10, payload: 1400 - 40))),
    ("IPv6 TCP data 1400 B", Session(0x0057, Ipv6Tcp(flags: 0x10, payload: 1400 - 60))),
    ("IPv4 UDP 1400 B", Session(0x0021, Ipv4Udp(1400 - 28))),
    ("LCP Echo-Request", Session(0xC021, new byte[] { 9, 1, 0, 8, 1, 2, 3, 4 })),
    ("IPv4 TCP SYN (clamped)", Session(0x0021, Ipv4Tcp(flags: 0x02, payload: 0, mss: true))),
};
const int Batch = 200_000;
Console.WriteLine($"bench/mss: CPU ns per frame (parse + clamp), best of {rounds} alternating rounds of {Batch} frames; bytes allocated per frame");
Console.WriteLine($"{"frame",-24} {"off",8} {"auto",8} {"auto-off",9} {"alloc",6}");
foreach (var (name, frame) in frames)
{
    var off = new MssClamper(MssClampSetting.Off);
    var auto = new MssClamper(MssClampSetting.Auto);
    (double Ns, double Bytes) Run(MssClamper clamper)
    {
        int sink = 0;
        long allocated = GC.GetAllocatedBytesForCurrentThread(), start = CpuClock.ThreadNanoseconds();
        for (int i = 0; i < Batch; i++)
        {
            var view = FrameView.Parse(frame);
            sink += clamper.Clamp(view, frame, scratch, tracker);
        }
        long ns = CpuClock.ThreadNanoseconds() - start;
        GC.KeepAlive(sink);
        return ((double)ns / Batch, (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / Batch);
    }
    Run(off); Run(auto); // JIT and tiering
    double offNs = double.MaxValue, autoNs = double.MaxValue, alloc = 0;
    for (int round = 0; round < rounds; round++)
    {
        foreach (var clamper in round % 2 == 0 ? new[] { off, auto } : new[] { auto, off })
        {
            var (ns, bytes) = Run(clamper);
            if (clamper == off) offNs = Math.Min(offNs, ns); else autoNs = Math.Min(autoNs, ns);
            alloc = Math.Max(alloc, bytes);
        }
    }
    Console.WriteLine($"{name,-24} {F(offNs, 1),8} {F(autoNs, 1),8} {F(autoNs - offNs, 1),9} {F(alloc, 1),6}");
}

static string F(double value, int decimals) => value.ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture);

static byte[] Session(ushort protocol, byte[] packet)
{
    var frame = new byte[14 + 6 + 2 + packet.Length];
    new byte[] { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0x64, 0x11, 0, 0, 0x42 }.CopyTo(frame, 0);
    BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)(2 + packet.Length));
    BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), protocol);
    packet.CopyTo(frame, 22);
    return frame;
}

static byte[] Tcp(byte flags, int payload, bool mss)
{
    var tcp = new byte[(mss ? 24 : 20) + payload];
    tcp[12] = (byte)((mss ? 6 : 5) << 4);
    tcp[13] = flags;
    if (mss) new byte[] { 2, 4, 0x05, 0xb4 }.CopyTo(tcp, 20);
    return tcp;
}

static byte[] Ipv4Tcp(byte flags, int payload, bool mss = false)
{
    var tcp = Tcp(flags, payload, mss);
    var ip = new byte[20 + tcp.Length];
    ip[0] = 0x45; ip[8] = 64; ip[9] = 6;
    BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
    tcp.CopyTo(ip, 20);
    return ip;
}

static byte[] Ipv6Tcp(byte flags, int payload)
{
    var tcp = Tcp(flags, payload, mss: false);
    var ip = new byte[40 + tcp.Length];
    ip[0] = 0x60; ip[6] = 6; ip[7] = 64;
    BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)tcp.Length);
    tcp.CopyTo(ip, 40);
    return ip;
}

static byte[] Ipv4Udp(int payload)
{
    var ip = new byte[28 + payload];
    ip[0] = 0x45; ip[8] = 64; ip[9] = 17;
    BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
    return ip;
}
