using System.Management.Automation;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>Find-PppoeServer's errors in a real runspace (offers from a real AC: PppoeLabCommandTests).</summary>
public sealed class FindPppoeServerCommandTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    [Fact]
    public void AMissingInterfaceIsObjectNotFound()
    {
        var r = host.Run("Find-PppoeServer -Interface nosuch0 -Timeout 1");
        var error = Assert.Single(r.AllErrors);
        var expected = LabEnvironment.IsRoot()
            ? new[] { "InterfaceNotFound,PppoeProxy.PowerShell.Commands.FindPppoeServerCommand" }
            : new[] { "InterfaceNotFound,PppoeProxy.PowerShell.Commands.FindPppoeServerCommand", "CapturePermissionDenied,PppoeProxy.PowerShell.Commands.FindPppoeServerCommand" };
        Assert.Contains(error.FullyQualifiedErrorId, expected);
        if (LabEnvironment.IsRoot()) Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void TimeoutOutOfRangeIsAParameterValidationError()
    {
        var r = host.Run("Find-PppoeServer -Interface lo -Timeout 0");
        Assert.Equal("ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.FindPppoeServerCommand", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
    }
}
