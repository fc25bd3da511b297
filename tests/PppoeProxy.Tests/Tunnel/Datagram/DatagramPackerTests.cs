using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Datagram;
using PppoeProxy.Engine.Tunnel.Wire;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Datagram;

/// <summary>The UDP transport's own framing: packing, splitting what the path cannot carry, rejoining in order, counting losses.</summary>
public class DatagramPackerTests
{
    private const int Payload = 1350;

    private static byte[] Frame(int length, byte fill)
    {
        var frame = new byte[length];
        Array.Fill(frame, fill);
        return frame;
    }

    private static byte[] Record(byte[] frame)
    {
        var record = new byte[WireCodec.FrameRecordSize(frame.Length)];
        WireCodec.WriteFrameRecord(record, frame);
        return record;
    }

    private static (DatagramPacker Packer, List<byte[]> Sent) Packer(int payload = Payload)
    {
        var sent = new List<byte[]>();
        return (new DatagramPacker(payload, p => sent.Add(p.ToArray())), sent);
    }

    private static List<byte[]> Unpack(DatagramUnpacker unpacker, IEnumerable<byte[]> datagrams)
    {
        var records = new List<byte[]>();
        foreach (var d in datagrams)
            if (unpacker.Accept(d, out var content) == UnpackResult.Records) records.Add(content.ToArray());
        return records;
    }

    [Fact]
    public void AFullSizeFrameIsSplitIntoDatagramsThatFitAndRejoinedWhole()
    {
        var (packer, sent) = Packer();
        var record = Record(Frame(1514, 0x5A));
        packer.Write(record);
        packer.Flush();
        Assert.Equal(2, sent.Count);
        Assert.All(sent, d => Assert.True(d.Length <= Payload));
        var records = Unpack(new DatagramUnpacker(), sent);
        Assert.Equal(record, Assert.Single(records));
    }

    [Fact]
    public void SmallRecordsShareOneDatagramAndARecordCutByTheRingWrapIsKeptWhole()
    {
        var (packer, sent) = Packer();
        var stream = Record(Frame(100, 1)).Concat(Record(Frame(200, 2))).Concat(Record(Frame(60, 3))).ToArray();
        // The ring hands its bytes in two pieces when it wraps: a record header may be cut anywhere.
        packer.Write(stream.AsSpan(0, 106));
        packer.Write(stream.AsSpan(106));
        packer.Flush();
        var only = Assert.Single(sent);
        var records = Unpack(new DatagramUnpacker(), sent);
        Assert.Equal(stream, Assert.Single(records));
        Assert.Equal(DatagramFormat.InnerHeaderSize + stream.Length, only.Length);
    }

    [Fact]
    public void ALostFragmentDropsThatFrameOnlyAndIsCountedAsLost()
    {
        var (packer, sent) = Packer();
        var big = Record(Frame(4000, 7));
        var after = Record(Frame(100, 8));
        packer.Write(big);
        packer.Write(after);
        packer.Flush();
        Assert.Equal(4, sent.Count); // 3 fragments and one datagram with the small frame
        var counters = new TunnelCounters();
        var unpacker = new DatagramUnpacker { Counters = counters };
        var records = Unpack(unpacker, sent.Where((_, i) => i != 1));
        Assert.Equal(after, Assert.Single(records));
        // One datagram missing from the sequence, and the frame it belonged to.
        Assert.Equal(2, counters.Drops(DropReason.Lost));
    }

    [Fact]
    public void DatagramsAreDeliveredInArrivalOrderAndALateOneIsNotCountedLost()
    {
        var (packer, sent) = Packer();
        var frames = Enumerable.Range(1, 3).Select(i => Record(Frame(80, (byte)i))).ToList();
        foreach (var r in frames)
        {
            packer.Write(r);
            packer.Flush();
        }
        var counters = new TunnelCounters();
        var unpacker = new DatagramUnpacker { Counters = counters };
        var records = Unpack(unpacker, new[] { sent[0], sent[2], sent[1] });
        Assert.Equal(new[] { frames[0], frames[2], frames[1] }, records); // never reordered by us
        Assert.Equal(0, counters.Drops(DropReason.Lost));
        Assert.Equal(1, unpacker.Late);
    }

    [Fact]
    public void BrokenPayloadsAreCountedAndNeverDelivered()
    {
        var counters = new TunnelCounters();
        var unpacker = new DatagramUnpacker { Counters = counters };
        var broken = new[]
        {
            new byte[] { 0 }, new byte[] { 9, 0, 0, 0, 1, 1, 2, 3 },
            new byte[] { DatagramFormat.KindFragment, 0, 0, 0, 1, 0, 1, 5, 2, 1 }, // index past count
            new byte[] { DatagramFormat.KindFragment, 0, 0, 0, 2, 0, 1, 0, 1, 1 }, // a "fragment" of one
        };
        Assert.Empty(Unpack(unpacker, broken));
        Assert.Equal(broken.Length, counters.Drops(DropReason.Unauthenticated));
    }

    // Splits delivered content back into records (content may hold several, back to back).
    private static List<byte[]> Records(IEnumerable<byte[]> contents)
    {
        var records = new List<byte[]>();
        foreach (var c in contents)
            for (int at = 0; at < c.Length;)
            {
                int length = WireCodec.RecordHeaderSize + (c[at + 2] << 8 | c[at + 3]);
                records.Add(c.AsSpan(at, length).ToArray());
                at += length;
            }
        return records;
    }

    [Fact]
    public void FullSizeFramesUnderLoadShareDatagramsInsteadOfTwoEach()
    {
        var (packer, sent) = Packer();
        var records = Enumerable.Range(1, 10).Select(i => Record(Frame(1514, (byte)i))).ToList();
        foreach (var r in records) packer.Write(r);
        packer.Flush();
        // 10 x 1518 bytes in 1343-byte slices: 12 datagrams, where one record per datagram pair took 20.
        Assert.Equal(12, sent.Count);
        Assert.All(sent, d => Assert.True(d.Length <= Payload));
        var counters = new TunnelCounters();
        Assert.Equal(records, Records(Unpack(new DatagramUnpacker { Counters = counters }, sent)));
        Assert.Equal(0, counters.Drops(DropReason.Lost));
    }

    [Fact]
    public void ALostSliceDropsOnlyTheFramesItCarriedAPieceOfAndTheRestArriveWhole()
    {
        var (packer, sent) = Packer();
        var records = Enumerable.Range(1, 10).Select(i => Record(Frame(1514, (byte)i))).ToList();
        foreach (var r in records) packer.Write(r);
        packer.Flush();
        var counters = new TunnelCounters();
        var delivered = Records(Unpack(new DatagramUnpacker { Counters = counters }, sent.Where((_, i) => i != 5)));
        // Datagram 5 carried the end of frame 5 and the start of frame 6 (bytes 6715..8057 of the stream).
        Assert.Equal(records.Where((_, i) => i != 4 && i != 5), delivered);
        // The datagram and frame 5, begun before it; frame 6 began in the lost datagram, whose loss counts it.
        Assert.Equal(2, counters.Drops(DropReason.Lost));
    }

    [Fact]
    public void ALateSliceGivesItsWholeFramesOnlyAndThePendingFrameStillCompletes()
    {
        var (packer, sent) = Packer();
        var small = Enumerable.Range(1, 30).Select(i => Record(Frame(100, (byte)i))).ToList();
        var big = Record(Frame(1514, 0x77));
        foreach (var r in small) packer.Write(r);
        packer.Write(big);
        packer.Flush();
        Assert.Equal(4, sent.Count); // 3120 B of small frames then the big one: 1343-byte slices
        var counters = new TunnelCounters();
        var unpacker = new DatagramUnpacker { Counters = counters };
        // Arrival 0, 2, 3, 1: frame 13 (begun in 0, ended in 1) and frame 26 (begun in 1, ended in 2) are lost;
        // the late datagram still gives the whole frames 14-25, after the others: never reordered by us.
        var delivered = Records(Unpack(unpacker, new[] { sent[0], sent[2], sent[3], sent[1] }));
        var expected = small.Take(12).Concat(small.Skip(26)).Append(big).Concat(small.Skip(13).Take(12));
        Assert.Equal(expected, delivered);
        Assert.Equal(2, counters.Drops(DropReason.Lost)); // the late datagram is not lost; the two frames are
        Assert.Equal(1, unpacker.Late);
    }
}
