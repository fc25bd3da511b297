using System.Management.Automation;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>Export-PppoeFrame: writes piped frames to a classic pcap file (Wireshark, tcpdump read it).</summary>
[Cmdlet(VerbsData.Export, "PppoeFrame", SupportsShouldProcess = true)]
[OutputType(typeof(PppoeFrame))]
public sealed class ExportPppoeFrameCommand : PppoeCmdlet, IDisposable
{
    private PcapFileWriter? _writer;
    private string _fullPath = "";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PppoeFrame[] InputObject { get; set; } = Array.Empty<PppoeFrame>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        _fullPath = ResolvePath(Path);
        if (!ShouldProcess(_fullPath, "Write PPPoE frames to a pcap file")) return;
        try { _writer = PcapFileWriter.Create(_fullPath); }
        catch (Exception e) when (IsEngineFailure(e)) { ThrowEngineError(e, "PcapCreateFailed", _fullPath); }
    }

    protected override void ProcessRecord()
    {
        foreach (var frame in InputObject)
        {
            if (frame is null) continue;
            // Captured frames keep their exact bytes; built ones (e.g. Send-PppoePadt -PassThru) are serialised.
            var bytes = frame.RawBytes ?? frame.ToBytes();
            _writer?.Write(bytes, (frame.Time - DateTimeOffset.UnixEpoch).Ticks / 10);
            if (PassThru.IsPresent) WriteObject(frame);
        }
    }

    protected override void EndProcessing()
    {
        if (_writer is null) return;
        WriteVerbose($"wrote {_writer.FramesWritten} frame(s) to {_fullPath}");
        Dispose();
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
