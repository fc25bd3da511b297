using System.Text;
using System.Text.Json;
using PppoeProxy.Engine.Protocol;
using Xunit;
using static PppoeProxy.Tests.Protocol.RawFrames;

namespace PppoeProxy.Tests.Protocol;

public class TagTests
{
    [Theory]
    [InlineData(0x0000, "End-Of-List")]
    [InlineData(0x0101, "Service-Name")]
    [InlineData(0x0102, "AC-Name")]
    [InlineData(0x0103, "Host-Uniq")]
    [InlineData(0x0104, "AC-Cookie")]
    [InlineData(0x0105, "Vendor-Specific")]
    [InlineData(0x0106, "Credits")]
    [InlineData(0x0107, "Metrics")]
    [InlineData(0x0108, "Sequence Number")]
    [InlineData(0x0109, "Credit Scale Factor")]
    [InlineData(0x0110, "Relay-Session-Id")]
    [InlineData(0x0111, "HURL")]
    [InlineData(0x0112, "MOTM")]
    [InlineData(0x0120, "PPP-Max-Payload")]
    [InlineData(0x0121, "IP_Route_Add")]
    [InlineData(0x0201, "Service-Name-Error")]
    [InlineData(0x0202, "AC-System-Error")]
    [InlineData(0x0203, "Generic-Error")]
    [InlineData(0x0999, "Unknown(0x0999)")]
    public void EveryIanaTagIsNamed(int type, string name)
    {
        var frame = PppoeFrame.Parse(Discovery(0x07, 0, Tag((ushort)type, new byte[] { 0x01, 0xAB })));
        var tag = Assert.Single(frame.Tags);
        Assert.Equal(type, tag.Type);
        Assert.Equal(name, tag.Name);
        Assert.Equal(new byte[] { 0x01, 0xAB }, tag.RawValue);
    }

    [Theory]
    [InlineData(0x0101, new byte[] { 0x69, 0x73, 0x70 }, "isp")]
    [InlineData(0x0102, new byte[] { 0x42, 0x52, 0x41, 0x53 }, "BRAS")]
    [InlineData(0x0201, new byte[] { 0x6E, 0x6F }, "no")]
    [InlineData(0x0202, new byte[] { 0x6F, 0x6B }, "ok")]
    [InlineData(0x0203, new byte[] { 0x62, 0x79, 0x65 }, "bye")]
    [InlineData(0x0120, new byte[] { 0x05, 0xDC }, "1500")]
    [InlineData(0x0103, new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, "deadbeef")]
    [InlineData(0x0104, new byte[] { 0x0A, 0xFF }, "0aff")]
    [InlineData(0x0110, new byte[] { 0xAB }, "ab")]
    [InlineData(0x0111, new byte[] { 0x68 }, "68")]       // HURL is not one of the text tags in the spec
    [InlineData(0x0999, new byte[] { 0xC0, 0xFF, 0xEE }, "c0ffee")]
    [InlineData(0x0101, new byte[0], "")]
    public void TagValueFormatting(int type, byte[] raw, string expected)
    {
        var tag = new PppoeTag((ushort)type, raw);
        Assert.Equal(expected, tag.Value);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(tag));
        Assert.Equal(expected, json.RootElement.GetProperty("Value").GetString());
    }

    [Fact]
    public void BroadbandForumVendorSpecificIsDecoded()
    {
        var value = new byte[] { 0x00, 0x00, 0x0D, 0xE9 }
            .Concat(new byte[] { 0x01, 11 }).Concat(Encoding.ASCII.GetBytes("eth 1/1/1:7"))
            .Concat(new byte[] { 0x02, 4 }).Concat(Encoding.ASCII.GetBytes("cpe9"))
            .Concat(new byte[] { 0x81, 1, 0x00 })   // other TR-101 sub-tags are skipped
            .ToArray();
        var frame = PppoeFrame.Parse(Discovery(0x19, 0, Tag(0x0105, value)));
        var tag = Assert.Single(frame.Tags);
        Assert.Equal(3561u, tag.VendorId);
        Assert.Equal("eth 1/1/1:7", tag.AgentCircuitId);
        Assert.Equal("cpe9", tag.AgentRemoteId);
        Assert.Contains("Agent-Circuit-Id:eth 1/1/1:7", tag.ToString());
    }

    [Fact]
    public void OtherVendorIsNotDecodedAsBbf()
    {
        var tag = new PppoeTag(0x0105, new byte[] { 0x00, 0x00, 0x00, 0x09, 0x01, 0x01, 0x41 });
        Assert.Equal(9u, tag.VendorId);
        Assert.Null(tag.AgentCircuitId);
        Assert.Equal("00000009010141", tag.Value);
    }

    [Fact]
    public void TruncatedBbfSubTagIsIgnoredNotThrown()
    {
        var tag = new PppoeTag(0x0105, new byte[] { 0x00, 0x00, 0x0D, 0xE9, 0x01, 0x09, 0x41 });
        Assert.Null(tag.AgentCircuitId);
        Assert.Null(new PppoeTag(0x0105, new byte[] { 0x00, 0x0D }).VendorId);
    }

    [Fact]
    public void TryFindReturnsTheFirstMatchingTag()
    {
        var view = FrameView.Parse(Discovery(0x07, 0, Tag(0x0101, "a"), Tag(0x0103, new byte[] { 9 }), Tag(0x0101, "b")));
        Assert.True(TagEnumerator.TryFind(view.Payload, 0x0101, out var value));
        Assert.Equal("a"u8.ToArray(), value.ToArray());
        Assert.False(TagEnumerator.TryFind(view.Payload, 0x0104, out _));
    }
}
