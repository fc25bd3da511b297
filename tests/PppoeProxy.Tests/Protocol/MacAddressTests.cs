using PppoeProxy.Engine.Protocol;
using Xunit;

namespace PppoeProxy.Tests.Protocol;

public class MacAddressTests
{
    [Theory]
    [InlineData("AA:bb:0C:dd:EE:0f")]
    [InlineData("aa-bb-0c-dd-ee-0f")]
    [InlineData("aabb.0cdd.ee0f")]
    [InlineData(" aa:bb:0c:dd:ee:0f ")]
    public void ParsesAndFormatsLowercaseColon(string text)
    {
        var mac = MacAddress.Parse(text);
        Assert.Equal("aa:bb:0c:dd:ee:0f", mac.ToString());
        Assert.Equal(0xAABB0CDDEE0FUL, mac.Value);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0x0C, 0xDD, 0xEE, 0x0F }, mac.ToBytes());
        Assert.Equal(mac, MacAddress.Read(mac.ToBytes()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("aa:bb:cc:dd:ee")]
    [InlineData("aa:bb:cc:dd:ee:ff:00")]
    [InlineData("aa:bb:cc:dd:ee:fg")]
    [InlineData("aa bb cc dd ee ff")]
    [InlineData("hello")]
    [InlineData(null)]
    public void RejectsBadInput(string? text)
    {
        Assert.False(MacAddress.TryParse(text, out _));
        if (text is not null) Assert.Throws<FormatException>(() => MacAddress.Parse(text));
    }

    [Fact]
    public void BroadcastAndGroupBits()
    {
        Assert.Equal("ff:ff:ff:ff:ff:ff", MacAddress.Broadcast.ToString());
        Assert.True(MacAddress.Broadcast.IsBroadcast);
        Assert.True(MacAddress.Parse("01:00:5e:00:00:01").IsGroup);
        Assert.False(MacAddress.Parse("02:00:5e:00:00:01").IsGroup);
        Assert.Equal("00:00:00:00:00:00", MacAddress.Zero.ToString());
    }
}
