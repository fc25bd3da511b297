using System.Management.Automation;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.PowerShell.Jobs;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>Get-PppoeSession: sessions sniffed on an interface, read from a capture, or held by a proxy job.</summary>
[Cmdlet(VerbsCommon.Get, "PppoeSession", DefaultParameterSetName = InterfaceSet)]
[OutputType(typeof(PppoeSession))]
public sealed class GetPppoeSessionCommand : PppoeCmdlet
{
    private const string InterfaceSet = "Interface";
    private const string PathSet = "Path";
    private const string JobSet = "Job";
    private const string ProgressActivity = "Reading PPPoE sessions";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = InterfaceSet)]
    [ArgumentCompleter(typeof(InterfaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    /// <summary>Seconds to listen.</summary>
    [Parameter(ParameterSetName = InterfaceSet)]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 10;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName")]
    [ValidateExistingFile]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = JobSet)]
    public PppoeProxyJob[] Job { get; set; } = Array.Empty<PppoeProxyJob>();

    protected override void ProcessRecord()
    {
        IEnumerable<PppoeSession> sessions;
        try
        {
            sessions = ParameterSetName switch
            {
                PathSet => FromFile(),
                JobSet => Job.SelectMany(j => j.Sessions),
                _ => Live(),
            };
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            ThrowEngineError(e, "SessionSearchFailed", ParameterSetName == PathSet ? Path : Interface);
            return;
        }
        foreach (var session in sessions) WriteObject(session);
    }

    private IReadOnlyList<PppoeSession> FromFile()
    {
        var full = ResolvePath(Path);
        WriteVerbose($"reading sessions from {full}");
        var sessions = SessionFinding.FromFile(full, ProgressFor(ProgressActivity, full), StopToken);
        CompleteProgress(ProgressActivity);
        WriteVerbose($"{sessions.Count} session(s) in {full}");
        return sessions;
    }

    private IReadOnlyList<PppoeSession> Live()
    {
        WriteVerbose($"listening on {Interface} for {Timeout} s (both directions; Ctrl+C stops)");
        var sessions = SessionFinding.Live(Interface, TimeSpan.FromSeconds(Timeout), StopToken);
        WriteVerbose($"{sessions.Count} session(s) seen on {Interface}");
        return sessions;
    }
}
