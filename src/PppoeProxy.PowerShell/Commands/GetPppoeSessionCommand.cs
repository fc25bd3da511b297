using System.Management.Automation;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.PowerShell.Jobs;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>Get-PppoeSession: sessions sniffed on an interface, read from captures, or held by a proxy job.</summary>
[Cmdlet(VerbsCommon.Get, "PppoeSession", DefaultParameterSetName = InterfaceSet, HelpUri = HelpLinks.GetPppoeSession)]
[OutputType(typeof(PppoeSessionInfo))]
public sealed class GetPppoeSessionCommand : PppoeCmdlet
{
    private const string InterfaceSet = "Interface";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
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

    /// <summary>Proxy jobs; other jobs (Get-Job lists them too) are skipped.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = JobSet)]
    public Job[] Job { get; set; } = Array.Empty<Job>();

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case JobSet: FromJobs(); break;
            case InterfaceSet: Live(); break;
            default:
                foreach (var file in ResolveFiles(ParameterSetName == PathSet ? Path : null, ParameterSetName == LiteralPathSet ? LiteralPath : null))
                {
                    if (Stopping) return;
                    FromFile(file);
                }
                break;
        }
    }

    private void FromJobs()
    {
        foreach (var job in Job)
        {
            if (job is PppoeProxyJob proxy) WriteObject(proxy.Sessions, enumerateCollection: true);
            else WriteVerbose($"skipping job {job.Id} ({job.Name}): a {job.PSJobTypeName} job, not a PppoeProxy job");
        }
    }

    /// <summary>
    /// As SessionFinding.FromFile, but a capture cut short (tcpdump killed mid-write) still gives
    /// the sessions seen before the cut, as Get-PppoeFrame gives the frames, plus the error.
    /// </summary>
    private void FromFile(string file)
    {
        var tracker = new SessionTracker();
        DateTimeOffset? lastFrame = null;
        Exception? failure = null;
        try
        {
            WriteVerbose($"reading sessions from {file}");
            FrameReading.ReadFile(file, (in Engine.Protocol.FrameView frame, DateTimeOffset time) =>
            {
                tracker.Observe(frame, time, null);
                if (lastFrame is null || time > lastFrame) lastFrame = time;
                return true;
            }, ProgressFor(ProgressActivity, file), StopToken);
            CompleteProgress(ProgressActivity);
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            failure = e;
        }
        var sessions = tracker.Snapshot();
        WriteVerbose($"{sessions.Count} session(s) in {file}");
        // Idle in a file means "before the capture ended", not "before now" (which would be months).
        foreach (var session in sessions) WriteObject(new PppoeSessionInfo(session, lastFrame));
        // One bad file must not stop `Get-ChildItem *.pcap | Get-PppoeSession`.
        if (failure is not null) WriteEngineError(failure, "SessionSearchFailed", file);
    }

    private void Live()
    {
        WriteVerbose($"listening on {Interface} for {Timeout} s (both directions; Ctrl+C stops)");
        var sessions = ListenLive($"Listening for PPPoE sessions on {Interface}", Timeout, "SessionSearchFailed", Interface, "session(s) seen",
            status => SessionFinding.Live(Interface, TimeSpan.FromSeconds(Timeout), StopToken,
                progress: (count, frames) => status($"{count} session(s), {frames} frame(s) so far")),
            session => new PppoeSessionInfo(session));
        if (sessions is null) return;
        foreach (var session in sessions) WriteObject(new PppoeSessionInfo(session));
    }
}
