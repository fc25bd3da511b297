using PppoeProxy.Engine.Protocol;
using Xunit;
using static PppoeProxy.Tests.Protocol.RawFrames;

namespace PppoeProxy.Tests.Protocol;

public class FrameViewTests
{
    [Theory]
    [InlineData(0x09, "PADI")]
    [InlineData(0x07, "PADO")]
    [InlineData(0x19, "PADR")]
    [InlineData(0x65, "PADS")]
    [InlineData(0xA7, "PADT")]
    [InlineData(0xD3, "PADM")]
    [InlineData(0xD4, "PADN")]
    [InlineData(0x0A, "PADG")]
    [InlineData(0x0B, "PADC")]
    [InlineData(0x0C, "PADQ")]
    [InlineData(0x42, "Unknown(0x42)")]
    [InlineData(0x00, "Unknown(0x00)")]
    public void DiscoveryCodesAreNamed(byte code, string name)
    {
        var frame = PppoeFrame.Parse(Discovery(code, 0));
        // Decoded and named, but an unknown code is an error: the proxy must not forward it.
        if (name.StartsWith("Unknown", StringComparison.Ordinal)) Assert.Equal($"unknown PPPoE discovery code 0x{code:x2}", frame.Error);
        else Assert.Null(frame.Error);
        Assert.Equal(code, frame.CodeValue);
        Assert.Equal(name, frame.Code);
        Assert.Equal("discovery", frame.Stage);
    }

    [Fact]
    public void SessionCodeZeroIsSession()
    {
        var frame = PppoeFrame.Parse(Session(0x1234, new byte[] { 0x00, 0x21, 0x45 }));
        Assert.Equal("Session", frame.Code);
        Assert.Equal("session", frame.Stage);
        Assert.Equal(0x1234, frame.SessionId);
    }

    public static IEnumerable<object[]> VlanCases() => new[]
    {
        new object[] { new (ushort, ushort)[0], new int[0] },
        new object[] { new[] { (EtherTypes.Vlan8021Q, (ushort)0xA00A) }, new[] { 10 } },      // PCP 5, VID 10
        new object[] { new[] { (EtherTypes.Vlan8021AD, (ushort)0x0FFE) }, new[] { 4094 } },
        new object[] { new[] { (EtherTypes.Vlan8021AD, (ushort)0xE064), (EtherTypes.Vlan8021Q, (ushort)0x30C8) }, new[] { 100, 200 } },
        new object[] { new[] { (EtherTypes.Vlan8021Q, (ushort)0x1001), (EtherTypes.Vlan8021Q, (ushort)0x0002) }, new[] { 1, 2 } },
    };

    [Theory]
    [MemberData(nameof(VlanCases))]
    public void VlanTagsAreReadWithPriorityBitsKept((ushort Tpid, ushort Tci)[] vlans, int[] ids)
    {
        var bytes = Session(7, new byte[] { 0xC0, 0x21, 9, 1, 0, 8, 1, 2, 3, 4 }, vlans);
        var view = FrameView.Parse(bytes);
        Assert.Equal(FrameError.None, view.Error);
        Assert.Equal(vlans.Length, view.VlanCount);
        Assert.Equal(14 + 4 * vlans.Length, view.PppoeOffset);
        if (vlans.Length > 0) { Assert.Equal(vlans[0].Tpid, view.OuterVlanTpid); Assert.Equal(vlans[0].Tci, view.OuterVlanTci); }
        if (vlans.Length > 1) { Assert.Equal(vlans[1].Tpid, view.InnerVlanTpid); Assert.Equal(vlans[1].Tci, view.InnerVlanTci); }
        var frame = PppoeFrame.FromView(view, default, null);
        Assert.Equal(ids, frame.VlanIds);
        Assert.Equal(vlans.Select(v => new VlanTag(v.Tpid, v.Tci)), frame.VlanTags);
        Assert.Equal(bytes, frame.ToBytes());
        Assert.Equal(9, frame.Ppp!.Code);
    }

    [Fact]
    public void ThreeVlanTagsAreFlagged()
    {
        var vlans = new[] { (EtherTypes.Vlan8021AD, (ushort)1), (EtherTypes.Vlan8021Q, (ushort)2), (EtherTypes.Vlan8021Q, (ushort)3) };
        var view = FrameView.Parse(Session(7, new byte[] { 0x00, 0x21 }, vlans));
        Assert.Equal(FrameError.TooManyVlanTags, view.Error);
        Assert.False(string.IsNullOrEmpty(view.ErrorText));
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 0x21 }, 0xC021, 2, "LCP")]
    [InlineData(new byte[] { 0xC0, 0x23 }, 0xC023, 2, "PAP")]
    [InlineData(new byte[] { 0xC2, 0x23 }, 0xC223, 2, "CHAP")]
    [InlineData(new byte[] { 0x80, 0x21 }, 0x8021, 2, "IPCP")]
    [InlineData(new byte[] { 0x80, 0x57 }, 0x8057, 2, "IPv6CP")]
    [InlineData(new byte[] { 0x00, 0x21 }, 0x0021, 2, "IPv4")]
    [InlineData(new byte[] { 0x00, 0x57 }, 0x0057, 2, "IPv6")]
    [InlineData(new byte[] { 0x21 }, 0x0021, 1, "IPv4")]      // RFC 1661 protocol-field compression
    [InlineData(new byte[] { 0x57 }, 0x0057, 1, "IPv6")]
    [InlineData(new byte[] { 0x00, 0xFD }, 0x00FD, 2, "0x00fd")]
    public void PppProtocolFieldIncludingCompressedForm(byte[] protocol, int expected, int size, string name)
    {
        var ppp = protocol.Concat(Control(1, 0x5A, new byte[] { 1, 4, 5, 0xD4 })).ToArray();
        var view = FrameView.Parse(Session(1, ppp));
        Assert.Equal(FrameError.None, view.Error);
        Assert.Equal(expected, view.PppProtocol);
        Assert.Equal(size, view.PppProtocolFieldSize);
        Assert.Equal(ppp.Length - size, view.PppPacket.Length);
        var info = PppoeFrame.FromView(view, default, null).Ppp!;
        Assert.Equal(name, info.ProtocolName);
        bool control = PppProtocols.IsControl((ushort)expected);
        Assert.Equal(control, view.HasPppControlHeader);
        Assert.Equal(control ? 1 : null, info.Code);
        Assert.Equal(control ? 0x5A : null, info.Identifier);
        if (control) Assert.Equal(8, view.PppLength);
    }

    [Theory]
    [InlineData(0xC021, 9, "Echo-Request")]
    [InlineData(0xC021, 10, "Echo-Reply")]
    [InlineData(0xC021, 5, "Terminate-Request")]
    [InlineData(0xC021, 1, "Configure-Request")]
    [InlineData(0xC023, 1, "Authenticate-Request")]
    [InlineData(0xC023, 2, "Authenticate-Ack")]
    [InlineData(0xC223, 1, "Challenge")]
    [InlineData(0xC223, 2, "Response")]
    [InlineData(0xC223, 4, "Failure")]
    [InlineData(0x8021, 2, "Configure-Ack")]
    [InlineData(0x8057, 4, "Configure-Reject")]
    [InlineData(0x8021, 9, "Code-9")]   // Echo exists only in LCP
    public void ControlCodeIdentifierAndLength(int protocol, byte code, string codeName)
    {
        var data = new byte[] { 0xDE, 0xAD, 0xBE, 0xEF, 0x01 };
        var ppp = U16((ushort)protocol).Concat(Control(code, 0xC3, data)).ToArray();
        var view = FrameView.Parse(Session(0x0101, ppp, padding: 20));
        Assert.Equal(FrameError.None, view.Error);
        Assert.True(view.HasPppControlHeader);
        Assert.Equal(code, view.PppCode);
        Assert.Equal(0xC3, view.PppIdentifier);
        Assert.Equal(9, view.PppLength);
        Assert.Equal(20, view.Trailer.Length);
        var info = PppoeFrame.FromView(view, default, null).Ppp!;
        Assert.Equal(codeName, info.CodeName);
        Assert.Equal(0xC3, info.Identifier);
    }

    [Fact]
    public void WellFormedFrameHasNoError()
    {
        var view = FrameView.Parse(Discovery(0x09, 0, Tag(0x0101, ""), Tag(0x0103, new byte[] { 1, 2, 3, 4 })));
        Assert.True(view.IsValid);
        Assert.Null(view.ErrorText);
        Assert.Equal(1, view.Version);
        Assert.Equal(1, view.Type);
        Assert.Equal(12, view.LengthField);
    }
}
