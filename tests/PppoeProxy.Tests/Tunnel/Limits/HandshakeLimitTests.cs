using PppoeProxy.Engine.Tunnel.Limits;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Limits;

/// <summary>--max-handshakes: sshd's MaxStartups syntax and its random early drop curve.</summary>
public class HandshakeLimitTests
{
    [Theory]
    [InlineData("8:30:16", 8, 30, 16)]
    [InlineData("10", 10, 100, 10)]
    [InlineData("1:100:1", 1, 100, 1)]
    public void ParsesNAndStartRateFull(string text, int start, int rate, int full)
    {
        Assert.True(HandshakeLimit.TryParse(text, out var limit, out var problem), problem);
        Assert.Equal(new HandshakeLimit(start, rate, full), limit);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("8:30")]
    [InlineData("16:30:8")]
    [InlineData("8:0:16")]
    [InlineData("8:101:16")]
    [InlineData("-1")]
    [InlineData("1e3")]
    [InlineData("8:30:16:1")]
    [InlineData("99999999999")]
    [InlineData("100001")]
    public void RefusesBadText(string text)
    {
        Assert.False(HandshakeLimit.TryParse(text, out _, out var problem));
        Assert.Contains($"'{text}'", problem);
    }

    [Fact]
    public void NeverDropsBelowStartAlwaysAtFullAndByTheRateBetween()
    {
        var limit = new HandshakeLimit(8, 30, 16);
        for (int pending = 0; pending < 8; pending++) Assert.False(limit.Refuses(pending, 0.0));
        Assert.True(limit.Refuses(16, 0.999));
        Assert.True(limit.Refuses(40, 0.999));
        // At START: 30 % are dropped; halfway to FULL: 65 %.
        Assert.True(limit.Refuses(8, 0.29));
        Assert.False(limit.Refuses(8, 0.31));
        Assert.True(limit.Refuses(12, 0.64));
        Assert.False(limit.Refuses(12, 0.66));
    }

    [Fact]
    public void AHardLimitAdmitsUpToNAndNoMore()
    {
        Assert.True(HandshakeLimit.TryParse("3", out var limit, out _));
        Assert.False(limit.Refuses(2, 0.0));
        Assert.True(limit.Refuses(3, 0.999));
    }
}
