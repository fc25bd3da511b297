using System.Diagnostics;
using PppoeProxy.Engine.Capture;

namespace PackageBench;

/// <summary>
/// Live capture and injection on a veth pair: this process sits in one namespace, bench/pxbench.c in the
/// other (generator for capture rounds, sink for injection rounds). Contenders alternate round by round.
/// </summary>
public sealed class LiveCheck
{
    public const int SnapLength = 1522;          // MTU 1500 + Ethernet header + two VLAN tags
    public const int RingBytes = 16 * 1024 * 1024;
    private const int InjectFrames = 50_000;

    private readonly string _iface, _mac, _genNs, _genIface, _genMac, _pxbench;

    public LiveCheck(string iface, string mac, string genNs, string genIface, string genMac, string pxbench)
    {
        (_iface, _mac, _genNs, _genIface, _genMac, _pxbench) = (iface, mac, genNs, genIface, genMac, pxbench);
    }

    private readonly record struct Round(long Offered, long Got, long PcapReceived, long KernelDrops, long BacklogDrops, double ThreadNsPerFrame, double ProcessNsPerFrame);

    public void Capture(int rounds, (int Rate, double Seconds)[] loads)
    {
        Console.WriteLine($"## Live capture on a veth (60-byte PPPoE session frames from pxbench, PPPoE BPF filter, {SnapLength}-byte snap, 16 MiB ring, immediate mode; {rounds} alternating rounds)\n");
        Console.WriteLine("| offered load | contender | received/sent (worst round) | that round: lost in ring (ps_recv − read) / drops the wrapper reports / backlog drops | reader-thread CPU ns/frame, median (range) | process CPU ns/frame, median | CPU vs ours (per-round range) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (rate, seconds) in loads)
        {
            var ours = new List<Round>();
            var theirs = new List<Round>();
            CaptureRound(() => OurLive.ForCapture(_iface), 5000, 0.2); // warm-up: JIT, first ring mapping
            CaptureRound(() => SharpPcapLive.ForCapture(_iface), 5000, 0.2);
            for (int round = 0; round < rounds; round++)
            {
                if (round % 2 == 0) { ours.Add(CaptureRound(() => OurLive.ForCapture(_iface), rate, seconds)); theirs.Add(CaptureRound(() => SharpPcapLive.ForCapture(_iface), rate, seconds)); }
                else { theirs.Add(CaptureRound(() => SharpPcapLive.ForCapture(_iface), rate, seconds)); ours.Add(CaptureRound(() => OurLive.ForCapture(_iface), rate, seconds)); }
            }
            var load = $"{rate / 1000}k frames/s × {seconds} s";
            PrintRow(load, "ours (LiveCapture)", ours, ours);
            PrintRow(load, "SharpPcap (GetNextPacket)", theirs, ours);
        }
        Console.WriteLine();
    }

    private Round CaptureRound(Func<ILiveContender> open, int rate, double seconds)
    {
        using var contender = open();
        long frames = 0, threadCpu = 0;
        bool stop = false;
        var process = Process.GetCurrentProcess();
        var processCpuBefore = process.TotalProcessorTime;
        long backlogBefore = SoftnetDrops();
        var reader = new Thread(() =>
        {
            long start = CpuClock.ThreadNanoseconds();
            while (!Volatile.Read(ref stop))
                if (contender.TryReadOne()) Interlocked.Increment(ref frames);
            threadCpu = CpuClock.ThreadNanoseconds() - start;
        }) { IsBackground = true, Name = "capture" };
        reader.Start();
        long sent;
        using (var generator = Pxbench.Start(_genNs, _pxbench, "gen", _genIface, _genMac, _mac, "60", rate.ToString(), seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            sent = generator.Result("sent");
        // Drain: stop once everything arrived or nothing new came for 300 ms.
        long seen = -1;
        while (Interlocked.Read(ref frames) < sent && Interlocked.Read(ref frames) != seen)
        {
            seen = Interlocked.Read(ref frames);
            Thread.Sleep(300);
        }
        Volatile.Write(ref stop, true);
        reader.Join();
        var (pcapReceived, dropped) = contender.Statistics();
        long backlogDrops = SoftnetDrops() - backlogBefore;
        process.Refresh();
        double processCpu = (process.TotalProcessorTime - processCpuBefore).TotalMilliseconds * 1e6;
        long got = Math.Max(frames, 1);
        return new Round(sent, frames, pcapReceived, dropped, backlogDrops, (double)threadCpu / got, processCpu / got);
    }

    // Frames the kernel dropped before any socket saw them (per-CPU backlog full): column 2 of softnet_stat.
    private static long SoftnetDrops() => File.ReadAllLines("/proc/net/softnet_stat")
        .Sum(line => Convert.ToInt64(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], 16));

    public void Inject(int rounds)
    {
        Console.WriteLine($"## Injection on a veth ({InjectFrames:N0} 60-byte PPPoE session frames per round, counted by pxbench sink; {rounds} alternating rounds)\n");
        Console.WriteLine("| contender | delivered/sent (worst round) | sender-thread CPU ns/frame, median (range) | wall ns/frame, median | CPU vs ours pcap_inject (range) |");
        Console.WriteLine("|---|---|---|---|---|");
        var names = new[] { "ours: LiveCapture.Inject(span) (pcap_inject)", "SharpPcap: SendPacket (pcap_sendpacket)", "ours: LiveCapture.Inject(FrameBatch) (sendmmsg, 64/batch)" };
        var results = names.Select(_ => new List<(long Delivered, double CpuNs, double WallNs)>()).ToArray();
        for (int k = 0; k < names.Length; k++) InjectRound(k, 2000); // warm-up
        for (int round = 0; round < rounds; round++)
            for (int j = 0; j < names.Length; j++)
            {
                int k = (j + round) % names.Length;
                results[k].Add(InjectRound(k, InjectFrames));
            }
        var baseline = results[0].Select(r => r.CpuNs).ToList();
        for (int k = 0; k < names.Length; k++)
        {
            var cpu = results[k].Select(r => r.CpuNs).ToList();
            Console.WriteLine($"| {names[k]} | {results[k].Min(r => r.Delivered):N0}/{InjectFrames:N0} | {Measure.F(Measure.Median(cpu), 0)} ({Measure.F(cpu.Min(), 0)}–{Measure.F(cpu.Max(), 0)}) | "
                + $"{Measure.F(Measure.Median(results[k].Select(r => r.WallNs)), 0)} | {(k == 0 ? "1" : Measure.Ratio(cpu, baseline))} |");
        }
        Console.WriteLine();
    }

    private (long Delivered, double CpuNs, double WallNs) InjectRound(int contender, int count)
    {
        using var sink = Pxbench.Start(_genNs, _pxbench, "sink", _genIface, "20", "300");
        sink.WaitReady();
        var frame = SessionFrame();
        long cpuStart, cpuEnd;
        var watch = new Stopwatch();
        if (contender == 1)
        {
            using var device = SharpPcapLive.ForInjection(_iface);
            (cpuStart, watch) = (CpuClock.ThreadNanoseconds(), Stopwatch.StartNew());
            for (long seq = 0; seq < count; seq++) { BitConverter.TryWriteBytes(frame.AsSpan(42), seq); device.Send(frame); }
            cpuEnd = CpuClock.ThreadNanoseconds();
        }
        else
        {
            using var ours = OurLive.ForInjection(_iface);
            using var batch = new FrameBatch(FrameBatch.DefaultCapacity, 2048);
            (cpuStart, watch) = (CpuClock.ThreadNanoseconds(), Stopwatch.StartNew());
            for (long seq = 0; seq < count; seq++)
            {
                BitConverter.TryWriteBytes(frame.AsSpan(42), seq);
                if (contender == 0) ours.Send(frame);
                else { batch.TryAdd(frame); if (batch.IsFull) ours.Send(batch); }
            }
            if (contender == 2) ours.Send(batch);
            cpuEnd = CpuClock.ThreadNanoseconds();
        }
        double wall = watch.Elapsed.TotalMilliseconds * 1e6 / count;
        return (sink.Result("recv"), (double)(cpuEnd - cpuStart) / count, wall);
    }

    // The frame pxbench's sink counts: PPPoE session, PPP IPv4, IP protocol 253, sequence number at byte 42.
    private byte[] SessionFrame()
    {
        var ip = new byte[38];
        ip[0] = 0x45; ip[3] = 38; ip[8] = 64; ip[9] = 253;
        var frame = Corpus.Frame(Mac(_genMac), Mac(_mac), 0x8864, Corpus.Pppoe(0, 0x1234, Corpus.Concat(new byte[] { 0x00, 0x21 }, ip)));
        return frame;
    }

    private static byte[] Mac(string text) => text.Split(':').Select(h => Convert.ToByte(h, 16)).ToArray();

    private static void PrintRow(string load, string name, List<Round> rounds, List<Round> baseline)
    {
        var worst = rounds.MinBy(r => (double)r.Got / Math.Max(r.Offered, 1));
        var cpu = rounds.Select(r => r.ThreadNsPerFrame).ToList();
        Console.WriteLine($"| {load} | {name} | {worst.Got:N0}/{worst.Offered:N0} | {worst.PcapReceived - worst.Got:N0} / {worst.KernelDrops:N0} / {worst.BacklogDrops:N0} | "
            + $"{Measure.F(Measure.Median(cpu), 0)} ({Measure.F(cpu.Min(), 0)}–{Measure.F(cpu.Max(), 0)}) | "
            + $"{Measure.F(Measure.Median(rounds.Select(r => r.ProcessNsPerFrame)), 0)} | "
            + (ReferenceEquals(rounds, baseline) ? "1" : Measure.Ratio(cpu, baseline.Select(r => r.ThreadNsPerFrame).ToList())) + " |");
    }
}
