using System.Management.Automation;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>Get-PppoeFrame: PPPoE frames captured live or read from a pcap/pcapng file.</summary>
[Cmdlet(VerbsCommon.Get, "PppoeFrame", DefaultParameterSetName = InterfaceSet)]
[OutputType(typeof(PppoeFrame))]
public sealed class GetPppoeFrameCommand : PppoeCmdlet
{
    private const string InterfaceSet = "Interface";
    private const string PathSet = "Path";
    private const string ProgressActivity = "Reading PPPoE frames";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = InterfaceSet)]
    [ArgumentCompleter(typeof(InterfaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName")]
    [ValidateExistingFile]
    public string Path { get; set; } = "";

    /// <summary>Stop after this many frames; 0 = no limit.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Count { get; set; }

    /// <summary>Seconds to capture; 0 = until -Count or Ctrl+C.</summary>
    [Parameter(ParameterSetName = InterfaceSet)]
    [ValidateRange(0, 86400)]
    public int Timeout { get; set; }

    protected override void ProcessRecord()
    {
        int written = 0;
        string? source = ParameterSetName == PathSet ? ResolvePath(Path) : null;
        // The engine calls back on this thread, so writing to the pipeline here is safe.
        bool Emit(in FrameView view, DateTimeOffset time)
        {
            WriteObject(PppoeFrame.FromView(view, time, source is null ? Interface : null));
            return Count == 0 || ++written < Count;
        }
        try
        {
            if (source is not null)
            {
                WriteVerbose($"reading {source}");
                FrameReading.ReadFile(source, Emit, ProgressFor(ProgressActivity, source), StopToken);
                CompleteProgress(ProgressActivity);
            }
            else
            {
                WriteVerbose(Timeout > 0 ? $"capturing on {Interface} for {Timeout} s (Ctrl+C stops)" : $"capturing on {Interface} (Ctrl+C stops)");
                FrameReading.Capture(Interface, new CaptureOptions { Direction = CaptureDirection.Both }, Emit,
                    Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : null, StopToken);
            }
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            ThrowEngineError(e, "FrameReadFailed", source ?? Interface);
        }
        WriteVerbose($"{written} frame(s) counted toward -Count");
    }
}
