using PppoeProxy.Engine.Protocol;
using Xunit;
using static PppoeProxy.Tests.Protocol.RawFrames;

namespace PppoeProxy.Tests.Protocol;

public class RoundTripTests
{
    public static IEnumerable<object[]> Frames()
    {
        yield return new object[] { Discovery(0x09, 0, Tag(0x0101, ""), Tag(0x0103, new byte[] { 1, 2, 3, 4 })) };
        yield return new object[] { Discovery(0xA7, 0x1234) };
        // Short frames padded to 60 bytes on the wire: the padding must come back too.
        yield return new object[] { Ethernet(Ac, Client, Array.Empty<(ushort, ushort)>(), EtherTypes.PppoeDiscovery,
            Pppoe(0x11, 0xA7, 9, Tag(0x0203, "x"), padding: 35)) };
        yield return new object[] { Session(5, new byte[] { 0xC0, 0x21 }.Concat(Control(9, 1, new byte[] { 1, 2, 3, 4 })).ToArray(),
            new[] { (EtherTypes.Vlan8021AD, (ushort)0x2064), (EtherTypes.Vlan8021Q, (ushort)0x80C8) }, padding: 18) };
        yield return new object[] { Session(5, new byte[] { 0x21, 0x45, 0, 0, 20 }, padding: 0) };
        // Non-zero padding bytes (some NICs leak garbage) are kept as they were.
        var padded = Session(6, new byte[] { 0xC0, 0x21 }.Concat(Control(10, 2, new byte[4])).ToArray(), padding: 10);
        padded[^1] = 0xEE; padded[^5] = 0x55;
        yield return new object[] { padded };
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void ToBytesRoundTripsByteForByte(byte[] bytes)
    {
        var frame = PppoeFrame.Parse(bytes);
        Assert.Null(frame.Error);
        Assert.Equal(bytes, frame.ToBytes());
        Assert.Equal(bytes.Length, frame.WireLength);
    }

    [Fact]
    public void BuiltFramesParseBack()
    {
        var vlans = VlanTag.FromIds(new[] { 300, 40 });
        var frame = PppoeFrame.Discovery(PppoeCode.PADO, Ac, Client, 0,
            new[] { new PppoeTag(PppoeTagType.AcName, "BRAS01"), new PppoeTag(PppoeTagType.ServiceName, "internet") }, vlans);
        var back = PppoeFrame.Parse(frame.ToBytes());
        Assert.Null(back.Error);
        Assert.Equal("PADO", back.Code);
        Assert.Equal(new[] { 300, 40 }, back.VlanIds);
        Assert.Equal(EtherTypes.Vlan8021AD, back.VlanTags[0].Tpid);
        Assert.Equal(EtherTypes.Vlan8021Q, back.VlanTags[1].Tpid);
        Assert.Equal(frame.PayloadLength, back.PayloadLength);
        Assert.Equal("PADO AC-Name=BRAS01 Service-Name=internet", back.Summary);
    }
}
