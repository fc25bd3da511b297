using PppoeProxy.Cli;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Operations;

/// <summary>`--transport tcp|udp`, the `transport` config key and -Transport all reach the one options builder.</summary>
public class TransportOptionsTests
{
    private static readonly ProxySettings Insecure = new() { Interface = "eth0", Insecure = true };

    [Fact]
    public void TcpIsTheDefaultAndUdpIsChosenByName()
    {
        Assert.Equal(TunnelTransportKind.Tcp, ProxyOptionsBuilder.Server(Insecure with { Listen = "127.0.0.1:4000" }).Transport);
        var server = ProxyOptionsBuilder.Server(Insecure with { Listen = "127.0.0.1:4000", Transport = "UDP" });
        Assert.Equal(TunnelTransportKind.Udp, server.Transport);
        Assert.Equal(TunnelTransportKind.Udp, ProxyOptionsBuilder.Client(Insecure with { Server = "h:1", Transport = "udp" }).Transport);
    }

    [Fact]
    public void AUdpClientKeepsNatMappingsAliveEvery25SecondsUnlessTold()
    {
        Assert.Equal(TimeSpan.FromSeconds(25), ProxyOptionsBuilder.Client(Insecure with { Server = "h:1", Transport = "udp" }).KeepAlive);
        Assert.Equal(TimeSpan.FromSeconds(60), ProxyOptionsBuilder.Client(Insecure with { Server = "h:1", Transport = "tcp" }).KeepAlive);
        Assert.Equal(TimeSpan.FromSeconds(7), ProxyOptionsBuilder.Client(Insecure with { Server = "h:1", Transport = "udp", KeepAlive = "7" }).KeepAlive);
    }

    [Theory]
    [InlineData("quic")]
    [InlineData("1")]
    [InlineData(" udp")]
    [InlineData("")]
    public void AnythingElseIsAUsageErrorNamingTheSetting(string text)
    {
        var error = Assert.Throws<ProxyOptionsException>(() => ProxyOptionsBuilder.Server(Insecure with { Listen = "127.0.0.1:1", Transport = text }));
        Assert.Equal("transport", error.Option);
    }

    [Fact]
    public void TheLegacyGoProtocolIsTcpOnly()
    {
        var error = Assert.Throws<ProxyOptionsException>(() =>
            ProxyOptionsBuilder.Client(Insecure with { Server = "h:1", Transport = "udp", Mode = TunnelMode.Legacy }));
        Assert.Contains("TCP only", error.Message);
    }

    [Fact]
    public void RekeyIsForUdpOnlyAndDefaultsToAnHour()
    {
        Assert.Equal(TimeSpan.FromHours(1), ProxyOptionsBuilder.Client(Insecure with { Server = "h:1", Transport = "udp" }).RekeyInterval);
        Assert.Equal(TimeSpan.FromSeconds(90), ProxyOptionsBuilder.Client(Insecure with { Server = "h:1", Transport = "udp", Rekey = "90" }).RekeyInterval);
        var error = Assert.Throws<ProxyOptionsException>(() => ProxyOptionsBuilder.Client(Insecure with { Server = "h:1", Rekey = "90" }));
        Assert.Equal("rekey", error.Option);
        Assert.Contains("--transport udp", error.Describe(name => "--" + name));
    }

    [Fact]
    public void TheCliFlagAndTheConfigKeyAreAccepted()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, "interface = wan0\nlisten = 127.0.0.1:4789\ninsecure = true\ntransport = udp\n");
        try
        {
            var root = CliApp.BuildRoot(new Console2(TextWriter.Null, TextWriter.Null, TextReader.Null, false));
            var args = ConfigFile.Expand(new[] { "server", "--config", path }, root);
            Assert.Contains("--transport", args);
            Assert.Empty(root.Parse(args).Errors);
        }
        finally { File.Delete(path); }
        var bad = CliRunner.Run("server", "--interface", "lo", "--listen", "127.0.0.1:1", "--insecure", "--transport", "sctp");
        Assert.Equal(ExitCodes.UsageError, bad.ExitCode);
        Assert.Contains("--transport", bad.Error);
    }
}
