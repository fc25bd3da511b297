using System.Management.Automation;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>Export-PppoeFrame: writes piped frames to a classic pcap file (Wireshark, tcpdump read it).</summary>
[Cmdlet(VerbsData.Export, "PppoeFrame", SupportsShouldProcess = true, HelpUri = HelpLinks.ExportPppoeFrame)]
[OutputType(typeof(PppoeFrameInfo))]
public sealed class ExportPppoeFrameCommand : PppoeCmdlet, IDisposable
{
    private PcapFileWriter? _writer;
    private string _fullPath = "";
    private bool _declined;
    private bool _failed;

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Frames, also deserialized ones (Import-Clixml, Receive-Job from another process): their RawBytes are written.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Refuse to replace an existing file.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    protected override void BeginProcessing()
    {
        _fullPath = ResolvePath(Path);
        // Said here, not as "permission denied" from the open: the fix is a file name, not rights.
        if (Directory.Exists(_fullPath))
        {
            ThrowTerminatingError(new ErrorRecord(new IOException($"{_fullPath} is a directory: give a file name in it, e.g. -Path {System.IO.Path.Combine(Path, "capture.pcap")}"),
                "ExportPathIsDirectory", ErrorCategory.InvalidArgument, _fullPath));
        }
        if (NoClobber.IsPresent && File.Exists(_fullPath))
        {
            ThrowTerminatingError(new ErrorRecord(new IOException($"{_fullPath} exists already: leave out -NoClobber to replace it, or choose another -Path"),
                "ExportFileExists", ErrorCategory.ResourceExists, _fullPath));
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var item in InputObject)
        {
            if (item is null) continue;
            if (ToFrame(item) is not { } frame)
            {
                WriteError(new ErrorRecord(new ArgumentException($"not a PPPoE frame (no Hex or RawBytes): {item.BaseObject?.GetType().Name}; pipe Get-PppoeFrame or Receive-Job output"),
                    "NotAPppoeFrame", ErrorCategory.InvalidType, item));
                continue;
            }
            // The file is created with the first frame: nothing piped writes nothing.
            if (_writer is null && !_declined && !_failed) Open();
            if (_writer is not null)
            {
                // Captured frames keep their exact bytes; built ones (e.g. Send-PppoePadt -PassThru) are serialised.
                var bytes = frame.RawBytes ?? frame.ToBytes();
                try { _writer.Write(bytes, (frame.Time - DateTimeOffset.UnixEpoch).Ticks / 10); }
                catch (Exception e) when (IsEngineFailure(e))
                {
                    Dispose();
                    _failed = true;
                    ThrowTerminatingError(ExportError(e));
                }
            }
            if (PassThru.IsPresent) WriteObject(item);
        }
    }

    private void Open()
    {
        if (!ShouldProcess(_fullPath, "Write PPPoE frames to a pcap file"))
        {
            _declined = true;
            return;
        }
        try { _writer = PcapFileWriter.Create(_fullPath); }
        catch (Exception e) when (IsEngineFailure(e))
        {
            _failed = true;
            ThrowTerminatingError(ExportError(e));
        }
    }

    /// <summary>A frame object, or one rebuilt from a deserialized frame's Hex (or RawBytes) and Time.</summary>
    private static PppoeFrame? ToFrame(PSObject item)
    {
        if (item.BaseObject is PppoeFrameInfo info) return info.ToFrame();
        if (item.BaseObject is PppoeFrame frame) return frame;
        var bytes = Unwrap(item.Properties["Hex"]?.Value) is string hex ? FromHex(hex) : Unwrap(item.Properties["RawBytes"]?.Value) as byte[];
        if (bytes is null || bytes.Length == 0) return null;
        var time = Unwrap(item.Properties["TimeUtc"]?.Value) is string utc && DateTimeOffset.TryParse(utc, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var exact) ? exact : ToTime(item.Properties["Time"]?.Value);
        return PppoeFrame.Parse(bytes, time);
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    private static byte[]? FromHex(string hex)
    {
        try { return Convert.FromHexString(hex); }
        catch (FormatException) { return null; }
    }

    private static DateTimeOffset ToTime(object? value)
    {
        // A deserialized DateTimeOffset is a property bag; its UtcTicks survive.
        if (value is PSObject { BaseObject: PSCustomObject } bag && bag.Properties["UtcTicks"]?.Value is long ticks)
            return new DateTimeOffset(ticks, TimeSpan.Zero);
        return ToTimeValue(value is PSObject wrapped ? wrapped.BaseObject : value);
    }

    private static DateTimeOffset ToTimeValue(object? value) => value switch
    {
        DateTimeOffset offset => offset,
        DateTime time => new DateTimeOffset(time.ToUniversalTime(), TimeSpan.Zero),
        string text when DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed) => parsed,
        _ => DateTimeOffset.UnixEpoch,
    };

    /// <summary>Export ids, not capture ids: the problem is the output file and the fix is a path or permission.</summary>
    private ErrorRecord ExportError(Exception e)
    {
        var (id, category, advice) = e is CaptureException capture ? capture.Kind switch
        {
            CaptureErrorKind.FileNotFound => ("ExportDirectoryNotFound", ErrorCategory.ObjectNotFound, "create the directory first or choose another -Path"),
            CaptureErrorKind.PermissionDenied => ("ExportAccessDenied", ErrorCategory.PermissionDenied, "choose a -Path you can write to"),
            _ => ("ExportWriteFailed", ErrorCategory.WriteError, "check the disk and the -Path"),
        } : ("ExportWriteFailed", ErrorCategory.WriteError, "check the disk and the -Path");
        return new ErrorRecord(e, id, category, _fullPath) { ErrorDetails = new ErrorDetails($"{e.Message}: {advice}") };
    }

    protected override void EndProcessing()
    {
        if (_writer is null)
        {
            if (!_declined && !_failed) WriteWarning($"no frames were piped in: {_fullPath} was not written");
            return;
        }
        WriteVerbose($"wrote {_writer.FramesWritten} frame(s) to {_fullPath}");
        Dispose();
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
