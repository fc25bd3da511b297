using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>Export-PppoeFrame in a real runspace: piped frames to a pcap, -PassThru, -WhatIf.</summary>
public sealed class ExportPppoeFrameCommandTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    [Fact]
    public void PipedFramesAreWrittenByteForByteToAPathRelativeToTheLocation()
    {
        using var temp = new TempFolder();
        // -Path is relative to the PowerShell location, which is not the process's current directory.
        var r = host.Run("param($Dir, $Sample) Push-Location $Dir; try { Get-PppoeFrame -Path $Sample | Export-PppoeFrame -Path copy.pcap } finally { Pop-Location }",
            ("Dir", temp.Path), ("Sample", RepoPaths.SampleCapture));
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        Assert.Empty(r.Output); // no -PassThru
        Assert.Equal(Bytes(RepoPaths.SampleCapture), Bytes(temp.Of("copy.pcap")));
    }

    [Fact]
    public void PassThruPassesFramesOnAndWhatIfWritesNoFile()
    {
        using var temp = new TempFolder();
        var r = host.Run("param($Out) Get-PppoeFrame -Path samples/sample.pcap -Count 3 | Export-PppoeFrame -Path $Out -PassThru -WhatIf",
            ("Out", temp.Of("whatif.pcap")));
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        Assert.Equal(3, r.Objects.OfType<PppoeFrameInfo>().Count());
        Assert.False(File.Exists(temp.Of("whatif.pcap")), "-WhatIf wrote the file");
    }

    [Fact]
    public void AFolderThatDoesNotExistIsObjectNotFound()
    {
        var r = host.Run("Get-PppoeFrame -Path samples/sample.pcap -Count 1 | Export-PppoeFrame -Path /proc/no-such-dir/x.pcap");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("ExportDirectoryNotFound,PppoeProxy.PowerShell.Commands.ExportPppoeFrameCommand", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("/proc/no-such-dir/x.pcap", error.TargetObject);
    }

    /// <summary>Frames (not file headers' timestamps) of a capture, as the engine reads them.</summary>
    private static List<byte[]> Bytes(string path)
    {
        var frames = new List<byte[]>();
        FrameReading.ReadFile(path, (in FrameView view, DateTimeOffset _) => { frames.Add(view.Bytes.ToArray()); return true; });
        return frames;
    }
}
