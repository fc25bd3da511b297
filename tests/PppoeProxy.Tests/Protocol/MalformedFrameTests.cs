using PppoeProxy.Engine.Protocol;
using Xunit;
using static PppoeProxy.Tests.Protocol.RawFrames;

namespace PppoeProxy.Tests.Protocol;

public class MalformedFrameTests
{
    private static readonly (ushort, ushort)[] NoVlan = Array.Empty<(ushort, ushort)>();

    public static IEnumerable<object[]> Cases()
    {
        var goodDiscovery = Discovery(0x09, 0, Tag(0x0101, "isp"));
        yield return Case("empty", Array.Empty<byte>(), FrameError.TruncatedEthernet);
        yield return Case("13 bytes", goodDiscovery[..13], FrameError.TruncatedEthernet);
        yield return Case("vlan cut", Ethernet(Ac, Client, NoVlan, EtherTypes.Vlan8021Q, new byte[] { 0, 5 }), FrameError.TruncatedVlan);
        yield return Case("ipv4", Ethernet(Ac, Client, NoVlan, 0x0800, new byte[40]), FrameError.NotPppoe);
        yield return Case("pppoe header cut", goodDiscovery[..19], FrameError.TruncatedPppoeHeader);
        yield return Case("version 2", Ethernet(Ac, Client, NoVlan, EtherTypes.PppoeDiscovery, Pppoe(0x21, 0x09, 0, Array.Empty<byte>())), FrameError.BadVersionType);
        yield return Case("type 2", Ethernet(Ac, Client, NoVlan, EtherTypes.PppoeSession, Pppoe(0x12, 0, 1, new byte[] { 0, 0x21 })), FrameError.BadVersionType);
        yield return Case("length past frame", Ethernet(Ac, Client, NoVlan, EtherTypes.PppoeDiscovery,
            Pppoe(0x11, 0x09, 0, Tag(0x0101, "isp"), lengthField: 60)), FrameError.LengthPastFrame);
        yield return Case("session length past frame", Ethernet(Ac, Client, NoVlan, EtherTypes.PppoeSession,
            Pppoe(0x11, 0, 1, new byte[] { 0, 0x21, 0x45 }, lengthField: 4)), FrameError.LengthPastFrame);
        yield return Case("tag past length", Discovery(0x09, 0, Tag(0x0101, new byte[3], lengthField: 4)), FrameError.TagPastLength);
        // The tag fits the frame (padding follows) but not the PPPoE length: still malformed.
        yield return Case("tag past length into padding", Ethernet(Ac, Client, NoVlan, EtherTypes.PppoeDiscovery,
            Pppoe(0x11, 0x09, 0, Tag(0x0101, new byte[3], lengthField: 8), padding: 30)), FrameError.TagPastLength);
        yield return Case("tag header cut", Discovery(0x09, 0, Tag(0x0101, "a"), new byte[] { 0x01, 0x03, 0x00 }), FrameError.TruncatedTagHeader);
        yield return Case("no ppp protocol", Session(1, Array.Empty<byte>()), FrameError.MissingPppProtocol);
        yield return Case("half ppp protocol", Session(1, new byte[] { 0xC0 }), FrameError.MissingPppProtocol);
        yield return Case("lcp header cut", Session(1, new byte[] { 0xC0, 0x21, 9, 1, 0 }), FrameError.TruncatedPppControl);
        yield return Case("lcp length past payload", Session(1, new byte[] { 0xC0, 0x21 }.Concat(Control(9, 1, new byte[4], 20)).ToArray()), FrameError.BadPppControlLength);
        yield return Case("lcp length below 4", Session(1, new byte[] { 0xC0, 0x21 }.Concat(Control(9, 1, new byte[4], 3)).ToArray()), FrameError.BadPppControlLength);
        yield return Case("pap length past payload", Session(1, new byte[] { 0xC0, 0x23 }.Concat(Control(1, 1, new byte[2], 9)).ToArray()), FrameError.BadPppControlLength);
        yield return Case("ipv6cp header cut", Session(1, new byte[] { 0x80, 0x57, 1 }), FrameError.TruncatedPppControl);
    }

    private static object[] Case(string name, byte[] bytes, FrameError error) => new object[] { name, bytes, error };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MalformedFramesAreFlaggedWithText(string name, byte[] bytes, FrameError expected)
    {
        var view = FrameView.Parse(bytes);
        Assert.Equal(expected, view.Error);
        Assert.False(view.IsValid, name);
        var text = view.ErrorText;
        Assert.False(string.IsNullOrWhiteSpace(text), name);
        var frame = PppoeFrame.Parse(bytes);
        Assert.Equal(text, frame.Error);
        Assert.Contains("malformed", frame.Summary);
    }

    [Fact]
    public void HeaderErrorWinsOverTagError()
    {
        // Version 2 and a broken tag: the header problem is the one reported.
        var bytes = Ethernet(Ac, Client, NoVlan, EtherTypes.PppoeDiscovery, Pppoe(0x21, 0x09, 0, Tag(0x0101, new byte[1], lengthField: 9)));
        Assert.Equal(FrameError.BadVersionType, FrameView.Parse(bytes).Error);
    }

    [Fact]
    public void TagsStopAtTheFirstMalformedTag()
    {
        var bytes = Discovery(0x07, 0, Tag(0x0102, "ac"), Tag(0x0101, new byte[2], lengthField: 50));
        var frame = PppoeFrame.Parse(bytes);
        Assert.NotNull(frame.Error);
        Assert.Equal(new[] { 0x0102 }, frame.Tags.Select(t => t.Type));
    }
}
