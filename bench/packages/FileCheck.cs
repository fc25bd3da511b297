using System.Diagnostics;
using System.Globalization;
using PppoeProxy.Engine.Capture;
using SharpPcap;
using SharpPcap.LibPcap;

namespace PackageBench;

/// <summary>pcap/pcapng reading and pcap writing: ours (managed) vs SharpPcap (libpcap's pcap_open_offline / pcap_dump).</summary>
public static class FileCheck
{
    private readonly record struct Record(byte[] Bytes, long Micros, int OriginalLength);

    public static void Run(string workDir, string samplePcap, int rounds)
    {
        var files = new List<(string Label, string Path)> { ("samples/sample.pcap", samplePcap) };
        files.Add(("editcap -F pcapng", Tool(workDir, "sample-editcap.pcapng", "editcap", "-F", "pcapng", samplePcap)));
        files.Add(("tshark -w (pcapng)", Tool(workDir, "sample-tshark.pcapng", "tshark", "-r", samplePcap, "-w")));
        files.Add(("editcap -F nsecpcap", Tool(workDir, "sample-ns.pcap", "editcap", "-F", "nsecpcap", samplePcap)));
        var big = Path.Combine(workDir, "big.pcap");
        TsharkOracle.WritePcap(big, Enumerable.Repeat(Corpus.WellFormed.Select(s => s.Bytes), 100_000 / Corpus.WellFormed.Count + 1)
            .SelectMany(x => x).Take(100_000));
        var bigNg = Tool(workDir, "big.pcapng", "editcap", "-F", "pcapng", big);

        Console.WriteLine("## Capture files: reading (reference: tshark's frame count, lengths and µs timestamps)\n");
        Console.WriteLine("| file | tshark frames | ours | SharpPcap 6.3.1 (CaptureFileReaderDevice) |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (label, path) in files)
        {
            var reference = TsharkRecords(path);
            var ours = ReadOurs(path);
            var theirs = ReadSharpPcap(path);
            bool sameBytes = ours.Count == theirs.Count && ours.Zip(theirs).All(p => p.First.Bytes.AsSpan().SequenceEqual(p.Second.Bytes));
            Console.WriteLine($"| {label} | {reference.Count} | {Verdict(ours, reference)} | {Verdict(theirs, reference)}; bytes same as ours: {(sameBytes ? "yes" : "no")} |");
        }

        Console.WriteLine("\n## Capture files: writing classic pcap (the sample's frames, read back by tshark)\n");
        var frames = ReadOurs(samplePcap);
        var oursOut = Path.Combine(workDir, "written-ours.pcap");
        var theirsOut = Path.Combine(workDir, "written-sharppcap.pcap");
        WriteOurs(oursOut, frames);
        WriteSharpPcap(theirsOut, frames);
        var referenceSample = TsharkRecords(samplePcap);
        Console.WriteLine($"- ours (PcapFileWriter): {Verdict(TsharkRecords(oursOut), referenceSample)}");
        Console.WriteLine($"- SharpPcap (CaptureFileWriterDevice): {Verdict(TsharkRecords(theirsOut), referenceSample)}");
        Console.WriteLine($"- files byte-identical: {(File.ReadAllBytes(oursOut).AsSpan().SequenceEqual(File.ReadAllBytes(theirsOut)) ? "yes" : "no")}");
        Console.WriteLine("- pcapng writing: neither (SharpPcap only wraps pcap_dump, which writes classic pcap; ours writes classic pcap by design)\n");

        Speed(rounds, big, bigNg, workDir);
    }

    private static void Speed(int rounds, string big, string bigNg, string workDir)
    {
        var frames = ReadOurs(big);
        var outOurs = Path.Combine(workDir, "speed-ours.pcap");
        var outTheirs = Path.Combine(workDir, "speed-sharppcap.pcap");
        var results = Measure.Alternate(rounds,
            () => Measure.Time(() => CountOurs(big), frames.Count, 100),
            () => Measure.Time(() => CountSharpPcap(big), frames.Count, 100),
            () => Measure.Time(() => CountOurs(bigNg), frames.Count, 100),
            () => Measure.Time(() => CountSharpPcap(bigNg), frames.Count, 100),
            () => Measure.Time(() => WriteOurs(outOurs, frames), frames.Count, 100),
            () => Measure.Time(() => WriteSharpPcap(outTheirs, frames), frames.Count, 100));
        Console.WriteLine($"## Capture files: speed ({frames.Count:N0} frames of {Corpus.WellFormed.Count} kinds, {rounds} alternating rounds, median)\n");
        Console.WriteLine("| work | ours ns/frame | SharpPcap ns/frame | SharpPcap time vs ours (range) | ours B/frame | SharpPcap B/frame |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var labels = new[] { "read pcap", "read pcapng", "write pcap" };
        for (int k = 0; k < labels.Length; k++)
        {
            var ours = results[2 * k];
            var theirs = results[2 * k + 1];
            var oursNs = ours.Select(c => c.NsPerOp).ToList();
            var theirsNs = theirs.Select(c => c.NsPerOp).ToList();
            Console.WriteLine($"| {labels[k]} | {Measure.F(Measure.Median(oursNs), 1)} | {Measure.F(Measure.Median(theirsNs), 1)} | "
                + $"{Measure.Ratio(theirsNs, oursNs)} | {Measure.F(Measure.Median(ours.Select(c => c.BytesPerOp)), 1)} | "
                + $"{Measure.F(Measure.Median(theirs.Select(c => c.BytesPerOp)), 1)} |");
        }
        Console.WriteLine();
    }

    private static string Tool(string workDir, string output, string tool, params string[] args)
    {
        var path = Path.Combine(workDir, output);
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {process.StandardError.ReadToEnd().Trim()}");
        return path;
    }

    private static List<Record> TsharkRecords(string path)
    {
        var start = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-r", path, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        return lines.Select(line => line.Split('\t')).Select(c => new Record(Array.Empty<byte>(),
            (long)Math.Round(decimal.Parse(c[0], CultureInfo.InvariantCulture) * 1_000_000m), int.Parse(c[1], CultureInfo.InvariantCulture))).ToList();
    }

    private static string Verdict(List<Record> records, List<Record> reference)
    {
        if (records.Count != reference.Count) return $"{records.Count} frames ≠ {reference.Count}";
        int badTime = 0, badLength = 0;
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i].Micros != reference[i].Micros) badTime++;
            if (records[i].OriginalLength != reference[i].OriginalLength) badLength++;
        }
        return badTime + badLength == 0 ? $"{records.Count} frames, times and lengths match" : $"{badTime} timestamps and {badLength} lengths differ";
    }

    private static List<Record> ReadOurs(string path)
    {
        var list = new List<Record>();
        using var reader = PcapFileReader.Open(path);
        while (reader.TryRead(out var frame)) list.Add(new Record(frame.Data.ToArray(), frame.TimestampUnixMicros, frame.OriginalLength));
        return list;
    }

    private static List<Record> ReadSharpPcap(string path)
    {
        var list = new List<Record>();
        using var device = new CaptureFileReaderDevice(path);
        device.Open();
        while (device.GetNextPacket(out var capture) == GetPacketStatus.PacketRead)
        {
            var header = capture.Header;
            list.Add(new Record(capture.Data.ToArray(), (long)header.Timeval.Seconds * 1_000_000 + (long)header.Timeval.MicroSeconds,
                (int)((PcapHeader)header).PacketLength));
        }
        return list;
    }

    private static int CountOurs(string path)
    {
        int sum = 0;
        using var reader = PcapFileReader.Open(path);
        while (reader.TryRead(out var frame)) sum += frame.Data.Length + (int)frame.TimestampUnixMicros;
        return sum;
    }

    private static int CountSharpPcap(string path)
    {
        int sum = 0;
        using var device = new CaptureFileReaderDevice(path);
        device.Open();
        while (device.GetNextPacket(out var capture) == GetPacketStatus.PacketRead)
            sum += capture.Data.Length + (int)capture.Header.Timeval.MicroSeconds;
        return sum;
    }

    private static int WriteOurs(string path, List<Record> frames)
    {
        using var writer = PcapFileWriter.Create(path);
        foreach (var frame in frames) writer.Write(frame.Bytes, frame.Micros);
        return frames.Count;
    }

    private static int WriteSharpPcap(string path, List<Record> frames)
    {
        using var writer = new CaptureFileWriterDevice(path, FileMode.Create);
        writer.Open(new DeviceConfiguration { LinkLayerType = PacketDotNet.LinkLayers.Ethernet, Snaplen = 65535 });
        foreach (var frame in frames)
        {
            var header = new PcapHeader((uint)(frame.Micros / 1_000_000), (uint)(frame.Micros % 1_000_000), (uint)frame.OriginalLength, (uint)frame.Bytes.Length);
            writer.Write(frame.Bytes, ref header);
        }
        return frames.Count;
    }
}
