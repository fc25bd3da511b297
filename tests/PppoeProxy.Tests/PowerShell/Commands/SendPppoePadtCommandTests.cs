using System.Management.Automation;
using PppoeProxy.Engine.Operations;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>
/// Send-PppoePadt in a real runspace. On an interface that does not exist a real send fails, so an
/// error-free -WhatIf proves nothing was attempted (the lab proves frames on the wire: PppoeLabCommandTests).
/// </summary>
public sealed class SendPppoePadtCommandTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    [Fact]
    public void PipedSessionsBindByPropertyNameAndWhatIfAttemptsNoSend()
    {
        var r = host.Run("Get-PppoeSession -Path samples/sample.pcap | Send-PppoePadt -Interface nosuch0 -WhatIf -PassThru");
        Assert.True(r.AllErrors.Count == 0, "-WhatIf tried to send: " + r);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void EachPipedSessionThatFailsIsItsOwnNonTerminatingError()
    {
        int sessions = SessionFinding.FromFile(RepoPaths.SampleCapture).Count;
        var r = host.Run("Get-PppoeSession -Path samples/sample.pcap | Send-PppoePadt -Interface nosuch0 -Confirm:$false; 'after'");
        Assert.Null(r.Terminating);
        Assert.Equal("after", Assert.Single(r.Objects)); // the script went on past the failures
        Assert.Equal(sessions, r.Errors.Count);
        var ids = r.Errors.Select(e => e.FullyQualifiedErrorId).Distinct().ToList();
        var expected = LabEnvironment.IsRoot()
            ? new[] { "InterfaceNotFound,PppoeProxy.PowerShell.Commands.SendPppoePadtCommand" }
            : new[] { "InterfaceNotFound,PppoeProxy.PowerShell.Commands.SendPppoePadtCommand", "CapturePermissionDenied,PppoeProxy.PowerShell.Commands.SendPppoePadtCommand" };
        Assert.Contains(Assert.Single(ids), expected);
        Assert.All(r.Errors, e => Assert.Contains("nosuch0", e.TargetObject?.ToString()));
    }

    [Theory]
    [InlineData("-SessionId 0 -ClientMac 02:00:00:00:00:01 -ServerMac 02:00:00:00:00:02")]
    [InlineData("-SessionId 65535 -ClientMac 02:00:00:00:00:01 -ServerMac 02:00:00:00:00:02")]
    [InlineData("-SessionId 1 -ClientMac nope -ServerMac 02:00:00:00:00:02")]
    [InlineData("-SessionId 1 -ClientMac 02:00:00:00:00:01 -ServerMac 02:00:00:00:00:02 -VlanId 1,2,3")]
    public void BadArgumentsAreParameterValidationErrors(string arguments)
    {
        var r = host.Run($"Send-PppoePadt -Interface nosuch0 {arguments} -Confirm:$false");
        Assert.Equal("ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.SendPppoePadtCommand", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, r.AllErrors[0].CategoryInfo.Category);
    }

    [Fact]
    public void ConfirmImpactHighAsksBeforeSendingWhenConfirmPreferenceIsHigh()
    {
        // No interactive host here: a prompt PowerShell cannot show ends the command instead of sending.
        var r = host.Run("$ConfirmPreference = 'High'; Send-PppoePadt -Interface nosuch0 -SessionId 1 -ClientMac 02:00:00:00:00:01 -ServerMac 02:00:00:00:00:02");
        // Asking failed (no host to ask): had it sent without asking, the error would be InterfaceNotFound.
        Assert.Equal("HostFunctionNotImplemented,PppoeProxy.PowerShell.Commands.SendPppoePadtCommand", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
    }
}
