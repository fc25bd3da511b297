using PppoeProxy.Engine.Capture;
using Xunit;

namespace PppoeProxy.Tests.Capture;

public sealed class CaptureErrorsTests
{
    [Theory]
    [InlineData(-8, CaptureErrorKind.PermissionDenied, "permission denied opening eth0: run as root or grant CAP_NET_RAW")]
    [InlineData(-11, CaptureErrorKind.PermissionDenied, "permission denied putting eth0 into promiscuous mode: run as root or grant CAP_NET_ADMIN")]
    [InlineData(-5, CaptureErrorKind.InterfaceNotFound, "interface 'eth0' does not exist")]
    [InlineData(-9, CaptureErrorKind.InterfaceDown, "interface 'eth0' is down: ip link set eth0 up")]
    [InlineData(-1, CaptureErrorKind.Other, "cannot capture on eth0: socket: Address family not supported")]
    public void ActivateStatusMapsToKindAndActionableMessage(int status, CaptureErrorKind kind, string message)
    {
        var error = CaptureErrors.FromStatus(status, "eth0", "socket: Address family not supported\n");

        Assert.Equal(kind, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void MultiLineLibraryTextBecomesOneLine()
    {
        var error = new CaptureException(CaptureErrorKind.Other, "first line\r\n  second line \n");

        Assert.Equal("first line second line", error.Message);
    }

    [Fact]
    public void MissingLibpcapSaysHowToInstallIt()
    {
        var error = Assert.Throws<CaptureException>(() => LibPcap.LoadLibrary(new[] { "libpcap-not-here.so.9" }));

        Assert.Equal(CaptureErrorKind.LibraryMissing, error.Kind);
        Assert.Equal("libpcap is not installed: run 'apt-get install libpcap0.8'", error.Message);
    }

    [Fact]
    public void InstalledLibpcapLoads()
    {
        Assert.StartsWith("libpcap version 1.", LibPcap.Version());
    }

    [Fact]
    public void LoopbackFactsComeFromSys()
    {
        Assert.True(NetworkInterfaces.Exists("lo"));
        Assert.True(NetworkInterfaces.IsUp("lo"));
        Assert.Equal(new byte[6], NetworkInterfaces.GetMacBytes("lo"));
        Assert.DoesNotContain(PppoeProxy.Engine.Protocol.MacAddress.Zero, NetworkInterfaces.LocalMacs());
        Assert.False(NetworkInterfaces.Exists("../lo"));
        Assert.Null(NetworkInterfaces.GetMacBytes("ppxnosuch0"));
    }
}
