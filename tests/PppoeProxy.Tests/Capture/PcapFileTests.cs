using System.Buffers.Binary;
using System.Globalization;
using PppoeProxy.Engine.Capture;
using Xunit;

namespace PppoeProxy.Tests.Capture;

public sealed class PcapFileTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TestFrames _frames = new();

    public void Dispose() => _dir.Dispose();

    private sealed record Frame(byte[] Data, long Micros, int OriginalLength);

    private static List<Frame> ReadAll(string path)
    {
        using var reader = PcapFileReader.Open(path);
        var frames = new List<Frame>();
        while (reader.TryRead(out var frame)) frames.Add(new Frame(frame.Data.ToArray(), frame.TimestampUnixMicros, frame.OriginalLength));
        Assert.Equal(reader.Length, reader.Position); // progress reaches 100% at the end
        return frames;
    }

    private (byte[][] Frames, long[] Micros) WriteSample(string path)
    {
        var frames = _frames.Pppoe4.Concat(_frames.NonPppoe).Append(new byte[1514]).ToArray();
        var micros = frames.Select((_, i) => 1_700_000_000_000_000L + i * 1_234_567L + i).ToArray();
        using var writer = PcapFileWriter.Create(path);
        for (int i = 0; i < frames.Length; i++) writer.Write(frames[i], micros[i]);
        Assert.Equal(frames.Length, writer.FramesWritten);
        return (frames, micros);
    }

    [Fact]
    public void WriterThenReaderRoundTripsBytesTimestampsAndLengths()
    {
        var path = _dir.File("round.pcap");
        var (frames, micros) = WriteSample(path);

        var read = ReadAll(path);

        Assert.Equal(frames.Length, read.Count);
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.Equal(frames[i], read[i].Data);
            Assert.Equal(micros[i], read[i].Micros);
            Assert.Equal(frames[i].Length, read[i].OriginalLength);
        }
        using var reader = PcapFileReader.Open(path);
        Assert.Equal(CaptureFileFormat.Pcap, reader.Format);
    }

    [Fact]
    public void WriterCutsFramesBeyondSnapLengthButKeepsOriginalLength()
    {
        var path = _dir.File("big.pcap");
        var big = new byte[70_000];
        Random.Shared.NextBytes(big);
        using (var writer = PcapFileWriter.Create(path)) writer.Write(big, 1_000_000);

        var read = Assert.Single(ReadAll(path));

        Assert.Equal(big.AsSpan(0, PcapFileWriter.SnapLength).ToArray(), read.Data);
        Assert.Equal(70_000, read.OriginalLength);
    }

    [Fact]
    public void WrittenFileIsReadIdenticallyByTshark()
    {
        var path = _dir.File("tshark.pcap");
        var (frames, micros) = WriteSample(path);

        var lines = ExternalTool.Run("tshark", "-r", path, "-T", "fields", "-e", "frame.len", "-e", "eth.src", "-e", "frame.time_epoch")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(frames.Length, lines.Length);
        for (int i = 0; i < frames.Length; i++)
        {
            var fields = lines[i].Split('\t');
            Assert.Equal(frames[i].Length.ToString(CultureInfo.InvariantCulture), fields[0]);
            Assert.Equal(PppoeProxy.Engine.Protocol.MacAddress.Read(frames[i].AsSpan(6, 6)).ToString(), fields[1]);
            var epoch = decimal.Parse(fields[2], CultureInfo.InvariantCulture);
            Assert.Equal(micros[i], (long)(epoch * 1_000_000m));
        }
    }

    private string WriteWithScapy(string name, string writerArgs, byte[][] frames, long firstMicros)
    {
        var path = _dir.File(name);
        ExternalTool.Scapy(
            "pkts = [Ether(bytes.fromhex(h)) for h in sys.argv[3:]]\n" +
            "for i, p in enumerate(pkts): p.time = EDecimal(sys.argv[2]) / 1000000 + i\n" +
            $"w = PcapWriter(sys.argv[1], {writerArgs})\n" +
            "w.write(pkts); w.close()",
            new[] { path, firstMicros.ToString(CultureInfo.InvariantCulture) }.Concat(frames.Select(Convert.ToHexString)).ToArray());
        return path;
    }

    [Theory]
    [InlineData("linktype=1")]
    [InlineData("linktype=1, nano=True")]
    [InlineData("linktype=1, endianness='>'")]
    [InlineData("linktype=1, endianness='>', nano=True")]
    public void ReadsClassicPcapWrittenByScapy(string writerArgs)
    {
        var frames = _frames.Pppoe4;
        var path = WriteWithScapy("scapy.pcap", writerArgs, frames, 1_650_000_000_654_321L);

        var read = ReadAll(path);

        Assert.Equal(frames, read.Select(f => f.Data));
        Assert.Equal(frames.Select((_, i) => 1_650_000_000_654_321L + i * 1_000_000L), read.Select(f => f.Micros));
    }

    [Fact]
    public void ReadsPcapngConvertedByEditcapAndTshark()
    {
        var pcap = _dir.File("source.pcap");
        var (frames, micros) = WriteSample(pcap);
        var viaEditcap = _dir.File("editcap.pcapng");
        var viaTshark = _dir.File("tshark.pcapng");
        ExternalTool.Run("editcap", "-F", "pcapng", pcap, viaEditcap);
        ExternalTool.Run("tshark", "-r", pcap, "-F", "pcapng", "-w", viaTshark);

        foreach (var path in new[] { viaEditcap, viaTshark })
        {
            using (var reader = PcapFileReader.Open(path)) Assert.Equal(CaptureFileFormat.PcapNg, reader.Format);
            var read = ReadAll(path);
            Assert.Equal(frames, read.Select(f => f.Data));
            Assert.Equal(micros, read.Select(f => f.Micros));
        }
    }

    [Fact]
    public void ReadsBigEndianPcapngWithNanosecondResolutionExtraBlocksAndTwoSections()
    {
        var frames = _frames.Pppoe4;
        const long firstNanos = 1_700_000_000_123_456_789L;
        var path = _dir.File("handmade.pcapng");
        File.WriteAllBytes(path, PcapNgBuilder.BigEndianNanosecond(frames, firstNanos));

        var read = ReadAll(path);

        // Frames 0-2 are enhanced packet blocks in section 1; frame 3 is a simple packet block in section 2.
        Assert.Equal(frames, read.Select(f => f.Data));
        Assert.Equal(new[] { firstNanos / 1000, firstNanos / 1000 + 1_000_000, firstNanos / 1000 + 2_000_000, 0 }, read.Select(f => f.Micros));
        // Independent check that the hand-made file is valid pcapng, not just something our reader accepts.
        var tsharkLengths = ExternalTool.Run("tshark", "-r", path, "-T", "fields", "-e", "frame.len").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(frames.Select(f => f.Length.ToString(CultureInfo.InvariantCulture)), tsharkLengths);
    }

    [Theory]
    [InlineData("pcap")]
    [InlineData("pcapng")]
    public void EveryTruncationEndsCleanlyOrWithBadFile(string format)
    {
        var pcap = _dir.File("whole.pcap");
        var (frames, _) = WriteSample(pcap);
        var whole = pcap;
        if (format == "pcapng")
        {
            whole = _dir.File("whole.pcapng");
            ExternalTool.Run("editcap", "-F", "pcapng", pcap, whole);
        }
        var bytes = File.ReadAllBytes(whole);
        var cut = _dir.File("cut." + format);
        int badFileCount = 0, cleanCount = 0;

        for (int length = 0; length < bytes.Length; length += 1)
        {
            File.WriteAllBytes(cut, bytes.AsSpan(0, length).ToArray());
            var error = Record.Exception(() => ReadAll(cut));
            if (error is null) { cleanCount++; continue; }
            var capture = Assert.IsType<CaptureException>(error);
            Assert.Equal(CaptureErrorKind.BadFile, capture.Kind);
            Assert.StartsWith("cut." + format + ": ", capture.Message);
            Assert.DoesNotContain('\n', capture.Message);
            badFileCount++;
        }

        Assert.True(badFileCount > bytes.Length / 2, $"only {badFileCount} of {bytes.Length} cuts were reported as bad");
        Assert.InRange(cleanCount, 1, frames.Length + 3); // only cuts at block/record boundaries read cleanly
    }

    [Fact]
    public void TruncatedRecordMessageNamesFileAndRecordOffset()
    {
        var path = _dir.File("capture.pcap");
        WriteSample(path);
        var bytes = File.ReadAllBytes(path);
        int secondRecord = 24 + 16 + _frames.Discovery.Length;
        File.WriteAllBytes(path, bytes.AsSpan(0, secondRecord + 20).ToArray());

        var error = Assert.Throws<CaptureException>(() => ReadAll(path));

        Assert.Equal(CaptureErrorKind.BadFile, error.Kind);
        Assert.Equal($"capture.pcap: truncated record at byte {secondRecord}", error.Message);
    }

    [Fact]
    public void GarbageAndBitFlippedFilesGiveOnlyBadFile()
    {
        var pcap = _dir.File("good.pcap");
        WriteSample(pcap);
        var pcapng = _dir.File("good.pcapng");
        ExternalTool.Run("editcap", "-F", "pcapng", pcap, pcapng);
        var random = new Random(20240601);
        var path = _dir.File("bad.bin");
        int badFiles = 0;

        for (int round = 0; round < 600; round++)
        {
            byte[] bytes;
            if (round < 100)
            {
                bytes = new byte[random.Next(0, 400)];
                random.NextBytes(bytes);
            }
            else
            {
                bytes = File.ReadAllBytes(round % 2 == 0 ? pcap : pcapng);
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }
            File.WriteAllBytes(path, bytes);
            var error = Record.Exception(() => ReadAll(path));
            if (error is null) continue; // a flip inside frame data is still a valid file
            Assert.Equal(CaptureErrorKind.BadFile, Assert.IsType<CaptureException>(error).Kind);
            badFiles++;
        }

        Assert.True(badFiles >= 100, $"expected every random file to be rejected, got {badFiles} rejections");
    }

    [Fact]
    public void EmptyMissingAndNonEthernetFilesGiveOneLineReasons()
    {
        var empty = _dir.File("empty.pcap");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        var missing = _dir.File("missing.pcap");
        var linuxCooked = WriteWithScapy("sll.pcap", "linktype=113", _frames.Pppoe4.Take(1).ToArray(), 0);

        var emptyError = Assert.Throws<CaptureException>(() => PcapFileReader.Open(empty));
        var missingError = Assert.Throws<CaptureException>(() => PcapFileReader.Open(missing));
        var cookedError = Assert.Throws<CaptureException>(() => PcapFileReader.Open(linuxCooked));

        Assert.Equal((CaptureErrorKind.BadFile, "empty.pcap: file is empty"), (emptyError.Kind, emptyError.Message));
        Assert.Equal((CaptureErrorKind.FileNotFound, $"capture file not found: {missing}"), (missingError.Kind, missingError.Message));
        Assert.Equal(CaptureErrorKind.BadFile, cookedError.Kind);
        Assert.Equal("sll.pcap: link type 113 is not Ethernet (only Ethernet captures are supported)", cookedError.Message);
    }

    [Fact]
    public void WriterReportsMissingDirectoryAsCaptureException()
    {
        var error = Assert.Throws<CaptureException>(() => PcapFileWriter.Create(_dir.File("no/such/dir/x.pcap")));
        Assert.Equal(CaptureErrorKind.FileNotFound, error.Kind);
    }
}
