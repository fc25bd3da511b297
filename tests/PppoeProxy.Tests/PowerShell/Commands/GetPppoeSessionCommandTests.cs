using System.Management.Automation;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>Get-PppoeSession from capture files in a real runspace (from a proxy job: ProxyJobLabTests).</summary>
public sealed class GetPppoeSessionCommandTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    [Fact]
    public void FilesPipedFromGetChildItemYieldTheSessionsTheEngineFinds()
    {
        var expected = SessionFinding.FromFile(RepoPaths.SampleCapture).Select(s => (s.SessionId, s.ClientMac.ToString(), s.ServerMac.ToString())).ToList();
        var r = host.Run("Get-ChildItem samples/*.pcap | Get-PppoeSession");
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        var sessions = r.Objects.Cast<PppoeSessionInfo>().ToList();
        Assert.True(expected.Count >= 2, "the sample capture should hold at least two sessions");
        Assert.Equal(expected, sessions.Select(s => (s.SessionId, s.ClientMac.ToString(), s.ServerMac.ToString())));
    }

    [Fact]
    public void ABadCaptureFileIsInvalidData()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Of("bad.pcap"), "this is not a capture");
        var r = host.Run("param($Path) Get-PppoeSession -Path $Path", ("Path", temp.Of("bad.pcap")));
        Assert.Equal("BadCaptureFile,PppoeProxy.PowerShell.Commands.GetPppoeSessionCommand", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, r.AllErrors[0].CategoryInfo.Category);
    }

    [Fact]
    public void AMissingFileIsANonTerminatingErrorAndTheOtherFilesAreStillRead()
    {
        var r = host.Run("Get-PppoeSession -Path ./no-such.pcap, samples/sample.pcap; 'after'");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("CaptureFileNotFound,PppoeProxy.PowerShell.Commands.GetPppoeSessionCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.True(r.Objects.Count > 2, "the file after the missing one was not read\n" + r);
        Assert.Equal("after", r.Objects[^1]);
    }
}
