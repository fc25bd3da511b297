using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>
/// Start-PppoeProxyServer's argument checks and start failures in a real runspace: each is an
/// ErrorRecord with an id and leaves no job behind (the job lifecycle itself: ProxyJobLabTests).
/// </summary>
public sealed class StartPppoeProxyServerCommandTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    private const string Command = "PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand";

    [Theory]
    [InlineData("-Interface lo -Listen example.net:4789 -Insecure", "ParameterArgumentValidationError")]
    [InlineData("-Interface lo -Listen 127.0.0.1:4789 -Allow 10.0.0.0/99 -Insecure", "ParameterArgumentValidationError")]
    [InlineData("-Interface lo -Listen 127.0.0.1:4789 -Insecure -CertificatePath PppoeProxy.psd1", "InsecureWithTlsParameters")]
    [InlineData("-Interface lo -Listen 127.0.0.1:4789 -CertificatePath ./no-such.crt -KeyPath ./no-such.key -TrustedFingerprint 00", "ParameterArgumentValidationError")]
    [InlineData("-Interface lo -Listen 127.0.0.1:4789 -Insecure -MaxTunnels 0", "ParameterArgumentValidationError")]
    [InlineData("-Interface lo -Listen 127.0.0.1:4789 -Insecure -MaxTunnelsPerSource 1000001", "ParameterArgumentValidationError")]
    [InlineData("-Interface lo -Listen 127.0.0.1:4789 -Insecure -MaxHandshakes 8:30", "ParameterArgumentValidationError")]
    [InlineData("-Interface lo -Listen 127.0.0.1:4789 -Insecure -MaxHandshakes 16:30:8", "ParameterArgumentValidationError")]
    [InlineData("-Interface lo -Listen 127.0.0.1:4789 -Insecure -MaxHandshakesPerSource -1", "ParameterArgumentValidationError")]
    public void BadArgumentsAreRejectedBeforeAnythingStarts(string arguments, string errorId)
    {
        var r = host.Run($"Start-PppoeProxyServer {arguments}; @(Get-Job).Count");
        Assert.Equal($"{errorId},{Command}", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
        Assert.Equal(0, Assert.Single(r.Objects));
    }

    [Fact]
    public void AMissingInterfaceLeavesNoJob()
    {
        var r = host.Run("Start-PppoeProxyServer -Interface nosuch0 -Listen 127.0.0.1:4789 -Insecure; @(Get-Job).Count");
        var error = Assert.Single(r.AllErrors);
        var expected = LabEnvironment.IsRoot() ? new[] { $"InterfaceNotFound,{Command}" } : new[] { $"InterfaceNotFound,{Command}", $"CapturePermissionDenied,{Command}" };
        Assert.Contains(error.FullyQualifiedErrorId, expected);
        Assert.Equal(0, Assert.Single(r.Objects));
    }

    [RootFact]
    public void AListenAddressInUseIsResourceUnavailableAndLeavesNoJob()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var r = host.Run("param($Listen) Start-PppoeProxyServer -Interface lo -Listen $Listen -Insecure; @(Get-Job).Count", ("Listen", $"127.0.0.1:{port}"));
        var error = Assert.Single(r.AllErrors);
        Assert.Equal($"ListenAddressInUse,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Equal(0, Assert.Single(r.Objects));
        Assert.Contains(r.Warnings, w => w.Message.Contains("plain text"));
    }
}
