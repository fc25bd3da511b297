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

    [RootFact]
    public void TheValueReachesTheRunningEnd()
    {
        // A veth pair of our own (no dummy module everywhere): the job captures on one end and dials a closed
        // port; nothing leaves the host.
        var link = "ms" + Guid.NewGuid().ToString("N")[..6];
        var r0 = NetnsLab.Run("ip", new[] { "link", "add", link, "type", "veth", "peer", "name", link + "p" }, TimeSpan.FromSeconds(5));
        Assert.True(r0.Ok, r0.ToString());
        try
        {
            NetnsLab.Run("ip", new[] { "link", "set", link, "up" }, TimeSpan.FromSeconds(5));
            var r = host.Run($"$j = Start-PppoeProxyClient -Interface {link} -Server 127.0.0.1:1 -Insecure -ClampMss 1414 -Name ppxmss -WarningAction SilentlyContinue; " +
                "$j.Statistics.MssClamp.Setting; Stop-Job $j; Remove-Job $j");
            Assert.True(r.AllErrors.Count == 0 && r.Output.Count == 1 && r.Output[0]?.ToString() == "1414", r.ToString());
        }
        finally { NetnsLab.Run("ip", new[] { "link", "del", link }, TimeSpan.FromSeconds(5)); }
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
