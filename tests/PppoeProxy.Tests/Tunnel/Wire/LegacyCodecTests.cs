using PppoeProxy.Engine.Tunnel.Wire;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Wire;

public class LegacyCodecTests
{
    [Fact]
    public void SessionFrameOf300BytesHasTheGoProgramsExactBytes()
    {
        byte[] frame = WireCodecTests.MakeFrame(300, 1);
        var buffer = new byte[LegacyCodec.MaxRecordSize];
        int n = LegacyCodec.WriteRecord(buffer, LegacyRecordType.Session, frame);
        Assert.Equal(304, n);
        Assert.Equal(new byte[] { 0x00, 0x03, 0xAC, 0x02 }, buffer[..4]);
        Assert.Equal(frame, buffer[4..n]);
    }

    [Theory]
    [InlineData(0, new byte[] { 0x00, 0x00, 0x00 })]
    [InlineData(127, new byte[] { 0x00, 0x02, 0x7F })]
    [InlineData(128, new byte[] { 0x00, 0x02, 0x80, 0x01 })]
    [InlineData(4096, new byte[] { 0x00, 0x02, 0x80, 0x20 })]
    public void VarintLengthsMatchGo(int length, byte[] header)
    {
        var type = length == 0 ? LegacyRecordType.Ping : LegacyRecordType.Discovery;
        var buffer = new byte[LegacyCodec.MaxRecordSize];
        int n = LegacyCodec.WriteRecord(buffer, type, new byte[length]);
        Assert.Equal(header, buffer[..header.Length]);
        Assert.Equal(LegacyCodec.RecordSize(length), n);
        Assert.Equal(RecordStatus.Ok, LegacyCodec.TryReadRecord(buffer.AsSpan(0, n), out var gotType, out var payload, out int used));
        Assert.Equal((type, length, n), (gotType, payload.Length, used));
    }

    [Fact]
    public void EtherTypesMapToRecordTypes()
    {
        Assert.Equal(LegacyRecordType.Discovery, LegacyCodec.ForEtherType(0x8863));
        Assert.Equal(LegacyRecordType.Session, LegacyCodec.ForEtherType(0x8864));
        Assert.Throws<ArgumentOutOfRangeException>(() => LegacyCodec.ForEtherType(0x0800));
    }

    [Fact]
    public void ManyRecordsParseBackInOrderAndEverySplitNeedsMoreData()
    {
        var random = new Random(4);
        var buffer = new byte[100 * (LegacyCodec.MaxRecordSize)];
        var expected = new List<(LegacyRecordType, byte[])>();
        int n = 0;
        for (int i = 0; i < 100; i++)
        {
            var type = (LegacyRecordType)random.Next(4);
            byte[] payload = WireCodecTests.MakeFrame(random.Next(0, 4097), i);
            n += LegacyCodec.WriteRecord(buffer.AsSpan(n), type, payload);
            expected.Add((type, payload));
        }
        ReadOnlySpan<byte> rest = buffer.AsSpan(0, n);
        foreach (var (type, payload) in expected)
        {
            Assert.Equal(RecordStatus.Ok, LegacyCodec.TryReadRecord(rest, out var gotType, out var gotPayload, out int used));
            Assert.Equal(type, gotType);
            Assert.True(gotPayload.SequenceEqual(payload));
            rest = rest[used..];
        }
        Assert.True(rest.IsEmpty);

        int first = LegacyCodec.RecordSize(expected[0].Item2.Length);
        for (int split = 0; split < first; split++)
            Assert.Equal(RecordStatus.NeedMoreData, LegacyCodec.TryReadRecord(buffer.AsSpan(0, split), out _, out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0, 3, 0x81, 0x20 }, RecordStatus.Oversized)]                 // 4097
    [InlineData(new byte[] { 0, 3, 0xFF, 0xFF, 0xFF }, RecordStatus.Oversized)]           // known before the varint ends
    [InlineData(new byte[] { 0, 3, 0x80, 0x80, 0x01 }, RecordStatus.Oversized)]           // 2^14
    [InlineData(new byte[] { 0, 3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, RecordStatus.Malformed)] // > 10 bytes
    [InlineData(new byte[] { 0, 2, 0x80, 0x80 }, RecordStatus.NeedMoreData)]
    public void BadLengthsAreFlagged(byte[] bytes, RecordStatus expected)
    {
        Assert.Equal(expected, LegacyCodec.TryReadRecord(bytes, out _, out _, out int used));
        Assert.Equal(0, used);
    }

    [Fact]
    public void NonMinimalVarintsAreAcceptedLikeGoAndUnknownTypesAreSkippable()
    {
        Assert.Equal(RecordStatus.Ok, LegacyCodec.TryReadRecord(new byte[] { 0, 1, 0x80, 0x80, 0x00 }, out var type, out var payload, out int used));
        Assert.Equal((LegacyRecordType.Pong, 0, 5), (type, payload.Length, used));

        Assert.Equal(RecordStatus.UnknownType, LegacyCodec.TryReadRecord(new byte[] { 0x12, 0x34, 2, 9, 9, 0, 0 }, out type, out payload, out used));
        Assert.Equal(((LegacyRecordType)0x1234, 2, 5), (type, payload.Length, used));
    }

    [Fact]
    public void WriterRefusesWhatTheGoProgramWouldDrop()
    {
        var buffer = new byte[LegacyCodec.MaxRecordSize + 10];
        Assert.Throws<ArgumentException>(() => LegacyCodec.WriteRecord(buffer, LegacyRecordType.Session, new byte[4097]));
        Assert.Throws<ArgumentException>(() => LegacyCodec.WriteRecord(new byte[303], LegacyRecordType.Session, new byte[300]));
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(1234);
        var buffer = new byte[64];
        int ok = 0;
        for (int i = 0; i < 20000; i++)
        {
            int length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            if (i % 2 == 0 && length > 2) buffer[2] &= 0x3F;
            var status = LegacyCodec.TryReadRecord(buffer.AsSpan(0, length), out _, out var payload, out int used);
            if (status is RecordStatus.Ok or RecordStatus.UnknownType)
            {
                Assert.InRange(used, 3 + payload.Length, length);
                ok++;
            }
            else Assert.Equal(0, used);
        }
        Assert.True(ok > 100, $"only {ok} random inputs parsed");
    }
}
