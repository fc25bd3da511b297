using PppoeProxy.Cli;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Operations;

/// <summary>--clamp-mss (config key clamp-mss): default off for both ends, auto|off|N, one usage line for a bad value.</summary>
public class ClampMssOptionsTests
{
    private static readonly ProxySettings Server = new() { Interface = "eth0", Insecure = true, Listen = "127.0.0.1:4000" };
    private static readonly ProxySettings Client = new() { Interface = "eth0", Insecure = true, Server = "127.0.0.1:4000" };

    [Fact]
    public void OffByDefaultAtBothEndsAndTypedValuesAsGiven()
    {
        Assert.True(ProxyOptionsBuilder.Server(Server).ClampMss.IsOff);
        Assert.True(ProxyOptionsBuilder.Client(Client).ClampMss.IsOff);
        Assert.True(ProxyOptionsBuilder.Server(Server with { ClampMss = "AUTO" }).ClampMss.IsAuto);
        Assert.True(ProxyOptionsBuilder.Client(Client with { ClampMss = "off" }).ClampMss.IsOff);
        Assert.Equal(1414, ProxyOptionsBuilder.Client(Client with { ClampMss = "1414" }).ClampMss.FixedMss);
        Assert.Equal(536, ProxyOptionsBuilder.Server(Server with { ClampMss = "536" }).ClampMss.FixedMss);
        Assert.Equal(65495, ProxyOptionsBuilder.Server(Server with { ClampMss = "65495" }).ClampMss.FixedMss);
        Assert.Equal("1414", MssClampSetting.Fixed(1414).ToString());
    }

    [Theory]
    [InlineData("535")]
    [InlineData("65496")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("on")]
    [InlineData("1e3")]
    [InlineData("1414.5")]
    [InlineData("")]
    public void ABadValueIsAUsageLineNamingTheFlag(string value)
    {
        var error = Assert.Throws<ProxyOptionsException>(() => ProxyOptionsBuilder.Client(Client with { ClampMss = value }));
        Assert.Equal("clamp-mss", error.Option);
        Assert.Contains("auto, off or an MSS from 536 to 65495", error.Message);

        var r = CliRunner.Run("client", "--interface", "nosuch0", "--server", "127.0.0.1:4000", "--status-socket", "none", "--insecure",
            "--clamp-mss", value);
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        Assert.Contains("--clamp-mss", r.Error);
        Assert.Single(r.Error.Trim().Split('\n'));
    }

    [Fact]
    public void TheConfigFileTakesTheKey()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-mss-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, "interface = nosuch0\nlisten = 127.0.0.1:4000\ninsecure = true\nstatus-socket = none\nclamp-mss = 100\n");
        try
        {
            var r = CliRunner.Run("server", "--config", path);
            Assert.Equal(ExitCodes.UsageError, r.ExitCode);
            Assert.Contains($"{path}:5: clamp-mss: '100' is not auto, off or an MSS", r.Error);
        }
        finally { File.Delete(path); }
    }
}
