using System.Management.Automation;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>Get-PppoeFrame from capture files in a real runspace (live capture: PppoeLabCommandTests).</summary>
public sealed class GetPppoeFrameCommandTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    [Fact]
    public void FilesPipedFromGetChildItemBindByFullNameAndYieldEveryFrameTheEngineReads()
    {
        var expected = new List<string>();
        FrameReading.ReadFile(RepoPaths.SampleCapture, (in FrameView view, DateTimeOffset time) =>
        {
            expected.Add(PppoeFrame.FromView(view, time, null).Summary);
            return true;
        });
        // Relative to the runspace's location (the repo root), not the test process's directory.
        var r = host.Run("Get-ChildItem samples/*.pcap | Get-PppoeFrame");
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        var frames = r.Objects.Cast<PppoeFrameInfo>().ToList();
        Assert.True(expected.Count > 4, "the sample capture is too small to prove anything");
        Assert.Equal(expected, frames.Select(f => f.Summary));
        Assert.Contains(frames, f => f.Code == "PADI");
    }

    [Fact]
    public void CountStopsTheReadEarly()
    {
        var r = host.Run("Get-PppoeFrame -Path samples/sample.pcap -Count 2");
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        Assert.Equal(2, r.Output.Count);
    }

    [Fact]
    public void AMissingFileIsANonTerminatingErrorAndTheOtherFilesAreStillRead()
    {
        var r = host.Run("Get-PppoeFrame -Path ./no-such.pcap, samples/sample.pcap; 'after'");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("CaptureFileNotFound,PppoeProxy.PowerShell.Commands.GetPppoeFrameCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.True(r.Objects.Count > 2, "the file after the missing one was not read\n" + r);
        Assert.Equal("after", r.Objects[^1]);
    }

    [Fact]
    public void AMissingInterfaceIsObjectNotFound()
    {
        var r = host.Run("Get-PppoeFrame -Interface nosuch0 -Timeout 1");
        var error = Assert.Single(r.AllErrors);
        if (LabEnvironment.IsRoot())
        {
            Assert.Equal("InterfaceNotFound,PppoeProxy.PowerShell.Commands.GetPppoeFrameCommand", error.FullyQualifiedErrorId);
            Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal("nosuch0", error.TargetObject);
        }
        else Assert.Contains(error.FullyQualifiedErrorId, new[] { "CapturePermissionDenied,PppoeProxy.PowerShell.Commands.GetPppoeFrameCommand",
            "InterfaceNotFound,PppoeProxy.PowerShell.Commands.GetPppoeFrameCommand" });
    }
}
