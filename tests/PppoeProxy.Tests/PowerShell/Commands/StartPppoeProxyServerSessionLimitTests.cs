using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>-MaxSessionsPerTunnel and -MaxTrackedSessions: out-of-range values are refused before anything starts.</summary>
public sealed class StartPppoeProxyServerSessionLimitTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    private const string Command = "PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand";

    [Theory]
    [InlineData("-MaxSessionsPerTunnel 0", "ParameterArgumentValidationError")]
    [InlineData("-MaxSessionsPerTunnel 1000001", "ParameterArgumentValidationError")]
    [InlineData("-MaxTrackedSessions 0", "ParameterArgumentValidationError")]
    [InlineData("-MaxTrackedSessions abc", "CannotConvertArgumentNoMessage")]
    public void AnOutOfRangeLimitIsAValidationError(string limit, string errorId)
    {
        var r = host.Run($"Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:4789 -Insecure {limit}; @(Get-Job).Count");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal($"{errorId},{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(0, Assert.Single(r.Objects));
    }

    [Fact]
    public void AcceptedLimitsGoOnToTheStart()
    {
        // Past the parameter checks and the options builder: the missing interface is what stops it.
        var r = host.Run("Start-PppoeProxyServer -Interface nosuch0 -Listen 127.0.0.1:4789 -Insecure -MaxSessionsPerTunnel 2 -MaxTrackedSessions 100; @(Get-Job).Count");
        var error = Assert.Single(r.AllErrors);
        var expected = LabEnvironment.IsRoot() ? new[] { $"InterfaceNotFound,{Command}" } : new[] { $"InterfaceNotFound,{Command}", $"CapturePermissionDenied,{Command}" };
        Assert.Contains(error.FullyQualifiedErrorId, expected);
    }
}
