using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>-MaxSessions (the session budget): out-of-range values are refused before anything starts; a good one goes on.</summary>
public sealed class StartPppoeProxyServerSessionBudgetTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    private const string Command = "PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand";

    [Theory]
    [InlineData("-MaxSessions 0", "ParameterArgumentValidationError")]
    [InlineData("-MaxSessions -1", "ParameterArgumentValidationError")]
    [InlineData("-MaxSessions 1000001", "ParameterArgumentValidationError")]
    [InlineData("-MaxSessions two", "CannotConvertArgumentNoMessage")]
    public void AnOutOfRangeBudgetIsAValidationError(string budget, string errorId)
    {
        var r = host.Run($"Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:4789 -Insecure {budget}; @(Get-Job).Count");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal($"{errorId},{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(0, Assert.Single(r.Objects));
    }

    [Fact]
    public void AnAcceptedBudgetGoesOnToTheStart()
    {
        var r = host.Run("Start-PppoeProxyServer -Interface nosuch0 -Listen 127.0.0.1:4789 -Insecure -MaxSessions 2; @(Get-Job).Count");
        var error = Assert.Single(r.AllErrors);
        var expected = LabEnvironment.IsRoot() ? new[] { $"InterfaceNotFound,{Command}" } : new[] { $"InterfaceNotFound,{Command}", $"CapturePermissionDenied,{Command}" };
        Assert.Contains(error.FullyQualifiedErrorId, expected);
    }
}
