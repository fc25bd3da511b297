using System.Management.Automation;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>Get-PppoeFrame: PPPoE frames captured live or read from pcap/pcapng files.</summary>
[Cmdlet(VerbsCommon.Get, "PppoeFrame", DefaultParameterSetName = InterfaceSet, HelpUri = HelpLinks.GetPppoeFrame)]
[OutputType(typeof(PppoeFrameInfo))]
public sealed class GetPppoeFrameCommand : PppoeCmdlet
{
    private const string InterfaceSet = "Interface";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string ProgressActivity = "Reading PPPoE frames";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = InterfaceSet)]
    [ArgumentCompleter(typeof(InterfaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    /// <summary>Capture files; wildcards allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Capture files taken as typed; binds Get-ChildItem output.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "FullName", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Stop after this many frames (per file); 0 = no limit.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Count { get; set; }

    /// <summary>Seconds to capture; 0 = until -Count or Ctrl+C.</summary>
    [Parameter(ParameterSetName = InterfaceSet)]
    [ValidateRange(0, 86400)]
    public int Timeout { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InterfaceSet)
        {
            Capture();
            return;
        }
        foreach (var file in ResolveFiles(ParameterSetName == PathSet ? Path : null, ParameterSetName == LiteralPathSet ? LiteralPath : null))
        {
            if (Stopping) return;
            ReadFile(file);
        }
    }

    private void ReadFile(string file)
    {
        int written = 0;
        bool Emit(in FrameView view, DateTimeOffset time)
        {
            WriteObject(new PppoeFrameInfo(PppoeFrame.FromView(view, time, null)));
            written++;
            return Count == 0 || written < Count;
        }
        try
        {
            WriteVerbose($"reading {file}");
            FrameReading.ReadFile(file, Emit, ProgressFor(ProgressActivity, file), StopToken);
            CompleteProgress(ProgressActivity);
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            // One bad file must not stop `Get-ChildItem *.pcap | Get-PppoeFrame`.
            WriteEngineError(e, "FrameReadFailed", file);
        }
    }

    private void Capture()
    {
        int written = 0;
        // The engine calls back on this thread, so writing to the pipeline here is safe.
        bool Emit(in FrameView view, DateTimeOffset time)
        {
            WriteObject(new PppoeFrameInfo(PppoeFrame.FromView(view, time, Interface)));
            written++;
            return Count == 0 || written < Count;
        }
        var activity = $"Capturing PPPoE frames on {Interface}";
        // The timeout runs from when the capture is open, which is when the first beat comes.
        DateTime? started = null;
        void Beat()
        {
            started ??= DateTime.UtcNow;
            WriteTimedProgress(activity, $"{written} frame(s) so far" + (Timeout > 0 ? "" : "; Ctrl+C stops"), DateTime.UtcNow - started.Value, Timeout);
        }
        try
        {
            WriteVerbose(Timeout > 0 ? $"capturing on {Interface} for {Timeout} s (Ctrl+C stops)" : $"capturing on {Interface} (Ctrl+C stops)");
            FrameReading.Capture(Interface, new CaptureOptions { Direction = CaptureDirection.Both }, Emit,
                Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : null, StopToken, heartbeat: Beat);
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            WriteEngineError(e, "FrameReadFailed", Interface);
        }
        finally
        {
            if (!Stopping) CompleteProgress(activity);
        }
        WriteVerbose($"{written} frame(s) captured on {Interface}");
    }
}
