using System.Text;
using PppoeProxy.Engine.Tunnel.Wire;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Wire;

public class WireHandshakeTests
{
    [Fact]
    public void HelloRoundTripsWithExactLayout()
    {
        var buffer = new byte[WireHandshake.MaxHelloSize];
        int n = WireHandshake.WriteHello(buffer, "büro-router");
        Assert.Equal("PPXY"u8.ToArray().Concat(new byte[] { 0, 1, 0, 12 }).Concat(Encoding.UTF8.GetBytes("büro-router")), buffer[..n]);

        Assert.True(WireHandshake.TryReadHello(buffer.AsSpan(0, n), out var verdict, out var hello, out int consumed));
        Assert.Equal(HandshakeStatus.Accepted, verdict);
        Assert.Equal(new ClientHello(1, "büro-router"), hello);
        Assert.Equal(n, consumed);
    }

    [Fact]
    public void EverySplitOfAHelloOrReplyNeedsMoreData()
    {
        var hello = new byte[WireHandshake.MaxHelloSize];
        int helloSize = WireHandshake.WriteHello(hello, "lan-side");
        for (int split = 0; split < helloSize; split++)
            Assert.False(WireHandshake.TryReadHello(hello.AsSpan(0, split), out _, out _, out _));

        var reply = new byte[WireHandshake.MaxReplySize];
        int replySize = WireHandshake.WriteReject(reply, HandshakeStatus.Busy, "try later");
        for (int split = 0; split < replySize; split++)
            Assert.False(WireHandshake.TryReadReply(reply.AsSpan(0, split), out _, out _));
        Assert.True(WireHandshake.TryReadReply(reply.AsSpan(0, replySize), out var parsed, out int consumed));
        Assert.Equal(new ServerReply(HandshakeStatus.Busy, 1, "try later"), parsed);
        Assert.Equal(replySize, consumed);
        Assert.Equal("rejected (Busy, server speaks v1): try later", WireHandshake.Describe(parsed));
    }

    [Fact]
    public void AcceptReplyRoundTrips()
    {
        var reply = new byte[WireHandshake.MaxReplySize];
        int n = WireHandshake.WriteAccept(reply);
        Assert.Equal(8, n);
        Assert.True(WireHandshake.TryReadReply(reply.AsSpan(0, n), out var parsed, out _));
        Assert.True(parsed.IsAccepted);
        Assert.Equal(1, parsed.Version);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, HandshakeStatus.BadMagic)]                      // legacy client: type 00 03...
    [InlineData(new byte[] { 0x16, 0x03, 0x01 }, HandshakeStatus.BadMagic)]          // TLS ClientHello to a plain port
    [InlineData(new byte[] { (byte)'P', (byte)'P', (byte)'X', (byte)'Z' }, HandshakeStatus.BadMagic)]
    [InlineData(new byte[] { (byte)'P', (byte)'P', (byte)'X', (byte)'Y', 0, 2, 0, 0 }, HandshakeStatus.UnsupportedVersion)]
    [InlineData(new byte[] { (byte)'P', (byte)'P', (byte)'X', (byte)'Y', 0, 0, 0, 0 }, HandshakeStatus.UnsupportedVersion)]
    [InlineData(new byte[] { (byte)'P', (byte)'P', (byte)'X', (byte)'Y', 0, 1, 2, 0 }, HandshakeStatus.Malformed)]   // a flag this version does not know
    [InlineData(new byte[] { (byte)'P', (byte)'P', (byte)'X', (byte)'Y', 0, 1, 0, 65 }, HandshakeStatus.Malformed)]  // name too long
    [InlineData(new byte[] { (byte)'P', (byte)'P', (byte)'X', (byte)'Y', 0, 1, 0, 2, 0xC3, 0x28 }, HandshakeStatus.Malformed)] // bad UTF-8
    [InlineData(new byte[] { (byte)'P', (byte)'P', (byte)'X', (byte)'Y', 0, 1, 0, 2, 0x41, 0x0A }, HandshakeStatus.Malformed)] // newline
    public void BadHellosGetACleanVerdictEarly(byte[] bytes, HandshakeStatus expected)
    {
        Assert.True(WireHandshake.TryReadHello(bytes, out var verdict, out _, out _));
        Assert.Equal(expected, verdict);
    }

    [Fact]
    public void ReplyWithoutMagicIsReportedAsBadMagic()
    {
        Assert.True(WireHandshake.TryReadReply("HTTP/1.1 400"u8, out var reply, out _));
        Assert.Equal(HandshakeStatus.BadMagic, reply.Status);
        Assert.False(reply.IsAccepted);
    }

    [Fact]
    public void ReplyTextFromThePeerCannotForgeLogLines()
    {
        byte[] bytes = "PPXY"u8.ToArray().Concat(new byte[] { 0, 1, 4, 5 }).Concat("a\nb\rc"u8.ToArray()).ToArray();
        Assert.True(WireHandshake.TryReadReply(bytes, out var reply, out _));
        Assert.Equal("a?b?c", reply.Text);
    }

    [Fact]
    public void WritersRefuseBadNamesAndCutLongRejectText()
    {
        var buffer = new byte[WireHandshake.MaxReplySize];
        Assert.Throws<ArgumentException>(() => WireHandshake.WriteHello(buffer, new string('x', 65)));
        Assert.Throws<ArgumentException>(() => WireHandshake.WriteHello(buffer, "two\nlines"));
        Assert.Throws<ArgumentException>(() => WireHandshake.WriteReject(buffer, HandshakeStatus.Accepted, "no"));
        int n = WireHandshake.WriteReject(buffer, HandshakeStatus.NotAllowed, new string('€', 100)); // 300 bytes
        Assert.True(WireHandshake.TryReadReply(buffer.AsSpan(0, n), out var reply, out _));
        Assert.Equal(new string('€', 85), reply.Text);
        Assert.Equal(HandshakeStatus.NotAllowed, reply.Status);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(99);
        var buffer = new byte[80];
        for (int i = 0; i < 10000; i++)
        {
            int length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            if (i % 2 == 0 && length >= 8) { "PPXY"u8.CopyTo(buffer); buffer[4] = 0; buffer[5] = 1; buffer[6] = 0; buffer[7] %= 70; }
            if (WireHandshake.TryReadHello(buffer.AsSpan(0, length), out var verdict, out _, out int consumed) && verdict == HandshakeStatus.Accepted)
                Assert.InRange(consumed, WireHandshake.HeaderSize, length);
            if (WireHandshake.TryReadReply(buffer.AsSpan(0, length), out var reply, out consumed) && reply.Status != HandshakeStatus.BadMagic)
                Assert.InRange(consumed, WireHandshake.HeaderSize, length);
        }
    }
}
