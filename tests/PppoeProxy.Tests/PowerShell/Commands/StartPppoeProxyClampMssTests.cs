using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>-ClampMss on both Start cmdlets: auto|off|N, a bad value refused before anything starts.</summary>
public sealed class StartPppoeProxyClampMssTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    [Theory]
    [InlineData("Server", "-Listen 127.0.0.1:4789", "100")]
    [InlineData("Client", "-Server 127.0.0.1:4789", "65496")]
    [InlineData("Client", "-Server 127.0.0.1:4789", "sometimes")]
    public void ABadValueIsAValidationErrorOfOneLine(string role, string endpoint, string value)
    {
        var r = host.Run($"Start-PppoeProxy{role} -Interface lo {endpoint} -Insecure -ClampMss {value}; @(Get-Job).Count");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal($"ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.StartPppoeProxy{role}Command", error.FullyQualifiedErrorId);
        Assert.Contains("is not auto, off or an MSS from 536 to 65495", error.Exception.Message);
        Assert.Equal(0, Assert.Single(r.Objects));
    }

    [Theory]
    [InlineData("Server", "-Listen 127.0.0.1:4789", "auto")]
    [InlineData("Client", "-Server 127.0.0.1:4789", "1414")]
    public void AGoodValueGoesOnToTheStart(string role, string endpoint, string value)
    {
        // Past the parameter checks and the options builder: the missing interface is what stops it.
        var r = host.Run($"Start-PppoeProxy{role} -Interface nosuch0 {endpoint} -Insecure -ClampMss {value}; @(Get-Job).Count");
        var error = Assert.Single(r.AllErrors);
        var command = $"PppoeProxy.PowerShell.Commands.StartPppoeProxy{role}Command";
        var expected = LabEnvironment.IsRoot() ? new[] { $"InterfaceNotFound,{command}" } : new[] { $"InterfaceNotFound,{command}", $"CapturePermissionDenied,{command}" };
        Assert.Contains(error.FullyQualifiedErrorId, expected);
    }
}
