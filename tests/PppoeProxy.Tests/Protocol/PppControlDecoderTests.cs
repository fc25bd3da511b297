using System.Text.Json;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using Xunit;

namespace PppoeProxy.Tests.Protocol;

/// <summary>The control-packet decoder on hand-made packets (the tshark tests cover the same ground when tshark is installed).</summary>
public class PppControlDecoderTests
{
    private static readonly MacAddress Client = MacAddress.Parse("00:11:22:33:44:55");
    private static readonly MacAddress Server = MacAddress.Parse("66:77:88:99:aa:bb");

    private static PppoeFrame Session(string hex, int padTo = 0, byte[]? junk = null)
    {
        var bytes = PppoeFrame.Session(Client, Server, 7, Convert.FromHexString(hex.Replace(" ", ""))).ToBytes();
        if (padTo > bytes.Length) bytes = [.. bytes, .. new byte[padTo - bytes.Length]];
        if (junk is not null) bytes = [.. bytes, .. junk];
        return PppoeFrame.Parse(bytes);
    }

    [Fact]
    public void ConfigureRequestSummaryShowsTheUsefulOptions()
    {
        var frame = Session("c021 0101 0014 0104 05ae 0304 c023 0506 1a2b3c4d 0702");
        Assert.Equal("LCP Configure-Request id=1 MRU=1454 Auth=PAP Magic=0x1a2b3c4d PFC", frame.Summary);
        Assert.Null(frame.Error);
        Assert.Equal(new[] { 1, 3, 5, 7 }, frame.Ppp!.Options!.Select(o => o.Type));
        Assert.Equal("1454", frame.Ppp.Option(LcpOptions.Mru));
    }

    [Fact]
    public void ChapAlgorithmIpcpAndIpv6cpValuesAreNamed()
    {
        Assert.Equal("CHAP-MD5", Session("c021 0102 0009 0305 c22305").Ppp!.Option(LcpOptions.AuthProtocol));
        Assert.Equal("IPCP Configure-Nak id=6 Address=203.0.113.9 DNS1=198.51.100.1",
            Session("8021 0306 0010 0306 cb007109 8106 c6336401").Summary);
        Assert.Equal("IPv6CP Configure-Request id=8 Interface-Id=0211:22ff:fe33:4455",
            Session("8057 0108 000e 010a 021122fffe334455").Summary);
    }

    [Fact]
    public void EchoShowsItsMagicNumberAndAnEchoWithoutOneIsMalformed()
    {
        Assert.Equal("LCP Echo-Request id=5 Magic=0x01020304", Session("c021 0905 0008 01020304").Summary);
        var bare = Session("c021 0905 0004");
        Assert.Equal("LCP Echo-Request too short for its magic number (4 bytes)", bare.Error);
        Assert.StartsWith("LCP Echo-Request id=5 malformed: ", bare.Summary);
    }

    [Fact]
    public void PapShowsThePeerIdAndOnlyThePasswordLength()
    {
        var frame = Session("c023 0109 0015 08 7573657240697370 07 73336372657450");
        Assert.Equal("PAP Authenticate-Request id=9 Peer-Id=user@isp Password=<7 bytes>", frame.Summary);
        Assert.DoesNotContain("s3cret", JsonSerializer.Serialize(frame, EngineJson.Options));
        var overrun = Session("c023 0109 0009 0975736572");
        Assert.Equal("PAP Peer-ID length 9 runs past the packet", overrun.Error);
    }

    [Fact]
    public void ChapShowsNameAndValueSize()
    {
        Assert.Equal("CHAP Challenge id=4 Name=BRAS Value=<2 bytes>", Session("c223 0104 000b 02abcd 42524153").Summary);
        Assert.Equal("CHAP Value-Size 9 runs past the packet", Session("c223 0204 0007 09abcd").Error);
    }

    [Fact]
    public void OptionLengthProblemsAreWarningsAndTheOtherOptionsStillShow()
    {
        var wrong = Session("c021 0101 000f 0105 05ae00 0506 1a2b3c4d");
        Assert.Null(wrong.Error);
        Assert.Equal("MRU option length 5, must be 4", wrong.Warning);
        Assert.Equal("0x1a2b3c4d", wrong.Ppp!.Option(LcpOptions.MagicNumber));
        Assert.Equal("LCP Configure-Request id=1 MRU Magic=0x1a2b3c4d (warning: MRU option length 5, must be 4)", wrong.Summary);
        var past = Session("c021 0101 000a 0104 05ae 0508");
        Assert.Equal("Magic option length 8 runs past the options", past.Warning);
        var shortCompression = Session("8021 0101 0007 0203 00");
        Assert.Equal("IPCP IP-Compression option length 3, must be at least 4", shortCompression.Error);
        // VJ compression (0x002d) carries max-slot-id and comp-slot-id: an option of 5 octets cannot hold both.
        Assert.Equal("IPCP IP-Compression option length 5 too short for its parameters (6)", Session("8021 0101 0009 0205 002d0f").Error);
        Assert.Equal("VJ", Session("8021 0101 000a 0206 002d0f01").Ppp!.Option(IpcpOptions.IpCompression));
    }

    [Fact]
    public void EthernetPaddingIsFineButOtherBytesAfterThePayloadWarn()
    {
        const string chap = "c223 0304 0006 6f6b";
        Assert.Null(Session(chap, padTo: 60).Warning);
        // A captured FCS after a payload too long to need padding.
        Assert.Null(Session("c223 0304 002e" + string.Concat(Enumerable.Repeat("6f", 42)), junk: new byte[4]).Warning);
        Assert.Equal("PPPoE length 8 leaves 40 bytes after the payload that are not Ethernet padding",
            Session(chap, junk: new byte[40]).Warning);
    }

    [Fact]
    public void TheForwardingViewDoesNotDecodeBodies()
    {
        // The hot path reads FrameView only: a body overrun is the user-facing frame's business.
        var bytes = PppoeFrame.Session(Client, Server, 7, Convert.FromHexString("c0210905000401")).ToBytes();
        Assert.True(FrameView.Parse(bytes).IsValid);
        Assert.NotNull(PppoeFrame.Parse(bytes).Error);
    }
}
