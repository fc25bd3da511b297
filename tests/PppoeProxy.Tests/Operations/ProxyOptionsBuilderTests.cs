using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Operations;

/// <summary>The one options builder: defaults written once, every bad value named, names spelled by the front end.</summary>
public class ProxyOptionsBuilderTests
{
    private static readonly ProxySettings Insecure = new() { Interface = "eth0", Insecure = true };

    [Fact]
    public void DefaultsApplyWhenNothingIsTyped()
    {
        var server = ProxyOptionsBuilder.Server(Insecure with { Listen = "127.0.0.1:4000" });
        var client = ProxyOptionsBuilder.Client(Insecure with { Server = "example.net:4000" });
        Assert.Equal(TimeSpan.FromSeconds(30), server.Grace);
        Assert.Equal(TimeSpan.FromSeconds(30), client.Grace);
        Assert.Equal(TimeSpan.FromSeconds(60), client.KeepAlive);
        Assert.Null(server.StatsInterval);
        Assert.Null(server.Security);
        Assert.Equal(MacMode.Transparent, server.MacMode);
        Assert.Equal(("example.net", 4000), (client.ServerHost, client.ServerPort));
    }

    [Fact]
    public void TypedValuesAreUsed()
    {
        var server = ProxyOptionsBuilder.Server(Insecure with
        {
            Listen = "[::1]:4001", Grace = "0.5", Stats = "2", MacMode = "rewrite", Allow = new[] { "10.0.0.0/8", "192.0.2.0/24" },
        });
        Assert.Equal(TimeSpan.FromMilliseconds(500), server.Grace);
        Assert.Equal(TimeSpan.FromSeconds(2), server.StatsInterval);
        Assert.Equal(MacMode.Rewrite, server.MacMode);
        Assert.Equal(4001, server.Listen.Port);
        Assert.Equal(TimeSpan.Zero, ProxyOptionsBuilder.Server(Insecure with { Listen = "127.0.0.1:1", Grace = "0" }).Grace);
    }

    [Theory]
    [InlineData("grace", "abc")]
    [InlineData("grace", "NaN")]
    [InlineData("grace", "1e300")]
    [InlineData("grace", "-1")]
    [InlineData("stats", "0")]
    [InlineData("listen", "nowhere")]
    [InlineData("allow", "banana")]
    [InlineData("mac-mode", "7")]
    [InlineData("trust", "0123")]
    public void ABadValueNamesItsSetting(string option, string value)
    {
        var typed = new ProxySettings { Interface = "eth0", Listen = "127.0.0.1:4000", Certificate = "a.crt", Key = "a.key", Trust = new[] { new string('a', 64) } };
        typed = option switch
        {
            "grace" => typed with { Grace = value, Insecure = true, Certificate = null, Key = null, Trust = null },
            "stats" => typed with { Stats = value },
            "listen" => typed with { Listen = value },
            "allow" => typed with { Allow = new[] { value } },
            "mac-mode" => typed with { MacMode = value },
            _ => typed with { Trust = new[] { value } },
        };
        var bad = Assert.Throws<ProxyOptionsException>(() => ProxyOptionsBuilder.Server(typed));
        Assert.Equal(option, bad.Option);
        Assert.StartsWith($"-X{option}: ", bad.Describe(name => "-X" + name));
    }

    [Fact]
    public void CombinationErrorsSpellEverySettingTheyName()
    {
        var bad = Assert.Throws<ProxyOptionsException>(() => ProxyOptionsBuilder.Client(Insecure with { Server = "h:1", Certificate = "c" }));
        Assert.Equal("--insecure excludes --cert, --key and --trust", bad.Describe(name => "--" + name));
        bad = Assert.Throws<ProxyOptionsException>(() => ProxyOptionsBuilder.Client(new ProxySettings { Interface = "eth0", Server = "h:1" }));
        Assert.Equal("TLS needs --cert FILE --key FILE --trust FP (or --insecure for plain text); missing --cert, --key, --trust", bad.Describe(name => "--" + name));
    }
}
