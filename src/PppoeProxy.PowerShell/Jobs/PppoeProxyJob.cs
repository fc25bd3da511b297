using System.Management.Automation;
using System.Reflection;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.PowerShell.Jobs;

/// <summary>
/// A proxy server or client running in the background of the session: Get-Job lists it,
/// Receive-Job yields the frames it routed (bounded, oldest dropped), Stop-Job stops it gracefully.
/// </summary>
public sealed class PppoeProxyJob : Job
{
    public const string JobTypeName = "PppoeProxyJob";
    public const string JobFrameTypeName = "PppoeProxy.PowerShell.ProxyJobFrame";
    /// <summary>Longer than the engine's own bounded stop; past it Stop-Job returns anyway.</summary>
    internal static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private const int LogLimit = 1000;

    // PowerShell's SetJobState(state, reason) is internal; it is the only way to fill JobStateInfo.Reason
    // (ThreadJob gets it the same way). Without it the reason is still in the Error stream.
    private static readonly MethodInfo? SetJobStateWithReason = typeof(Job).GetMethod("SetJobState",
        BindingFlags.Instance | BindingFlags.NonPublic, null, new[] { typeof(JobState), typeof(Exception) }, null);

    private readonly IProxyEnd _end;
    private readonly CancellationTokenSource _cancel = new();
    private readonly DropOldestWriter<PSObject> _frames;
    private readonly DropOldestWriter<WarningRecord> _warnings;
    private readonly DropOldestWriter<VerboseRecord> _verbose;
    private readonly DropOldestWriter<DebugRecord> _debug;
    private readonly TapFrameFilter _filter;
    private Task? _run;
    private int _finished;
    private volatile bool _stopRequested;
    // Set once the finished state is published: MarkFinished's loser (Stop-Job racing the run's own end) waits
    // for it, so Remove-Job right after Stop-Job never sees "Stopping".
    private readonly ManualResetEventSlim _finishedStateSet = new();

    internal PppoeProxyJob(string command, string? name, Func<ILogger, IProxyEnd> createEnd, int outputLimit, bool includeData)
        : base(command, name)
    {
        PSJobTypeName = JobTypeName;
        // Our own collections, assigned before the job runs (the setters refuse afterwards).
        Output = new PSDataCollection<PSObject>();
        Error = new PSDataCollection<ErrorRecord>();
        Warning = new PSDataCollection<WarningRecord>();
        Verbose = new PSDataCollection<VerboseRecord>();
        Debug = new PSDataCollection<DebugRecord>();
        Progress = new PSDataCollection<ProgressRecord>();
        Information = new PSDataCollection<InformationRecord>();
        _frames = new DropOldestWriter<PSObject>(Output, outputLimit);
        _warnings = new DropOldestWriter<WarningRecord>(Warning, LogLimit);
        _verbose = new DropOldestWriter<VerboseRecord>(Verbose, LogLimit);
        _debug = new DropOldestWriter<DebugRecord>(Debug, LogLimit);
        _filter = new TapFrameFilter(includeData);
        OutputLimit = outputLimit;
        _end = createEnd(new CallbackLogger(Log));
        _end.Tap = OnFrame;
    }

    public string Role => _end.Role;
    public string Interface => _end.Interface;
    public string Endpoint => _end.Endpoint;
    public int OutputLimit { get; }
    /// <summary>Frames dropped unread because Output held <see cref="OutputLimit"/> already.</summary>
    public long DroppedOutput => _frames.Dropped;
    public ProxyStatusInfo ProxyStatus => new(_end.Status());
    /// <summary>The sessions the proxy carries, as Get-PppoeSession shows them.</summary>
    public IReadOnlyList<PppoeSessionInfo> Sessions => _end.Status().Sessions.Select(s => new PppoeSessionInfo(s)).ToList();
    public IReadOnlyList<ProxyPeerInfo> Peers => _end.Status().Peers.Select(p => new ProxyPeerInfo(p)).ToList();
    /// <summary>Totals over the end and all its tunnels.</summary>
    public ProxyStatistics Statistics => new(_end.Status());
    /// <summary>Start-PppoeGuard's job: what its guard did (probes, ghosts ended, healthy kept, would end); null for a proxy.</summary>
    public Engine.Guard.GhostGuardStats? Guard => _end.Status().Guard;
    /// <summary>Sessions established now: the ones a stop ends with PADTs.</summary>
    public int LiveSessions => _end.Status().Sessions.Count(s => s.State == Engine.Sessions.SessionState.Established);

    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Debug.Count > 0;
    public override string Location => $"{Interface} {Endpoint}";
    public override string StatusMessage
    {
        get
        {
            var status = _end.Status();
            int sessions = status.Sessions.Count(s => s.State == Engine.Sessions.SessionState.Established);
            return status.Guard is { } guard ? $"{sessions} session(s) seen, {guard.GhostsEnded} ghost(s) ended"
                : $"{status.Peers.Count(p => p.Connected)} tunnel(s), {sessions} session(s)";
        }
    }

    /// <summary>Opens the engine on the caller's thread (so failures reach the cmdlet), then serves in the background.</summary>
    internal void Start()
    {
        _end.Start();
        // Task.Run also turns a RunAsync that throws before its first await into a faulted task.
        _run = Task.Run(() => _end.RunAsync(_cancel.Token));
        SetJobState(JobState.Running);
        _run.ContinueWith(Finish, TaskScheduler.Default);
    }

    public override void StopJob()
    {
        _stopRequested = true;
        if (_run is null) return;
        if (Volatile.Read(ref _finished) == 0)
        {
            SetJobState(JobState.Stopping);
            _cancel.Cancel();
            // The engine's stop is bounded; this bound is the backstop so Stop-Job never hangs the shell.
            try { _run.Wait(StopTimeout); }
            catch (AggregateException) { } // a failure while stopping still ends in Stopped
            // Set the state here, not only in the continuation, so Get-Job right after Stop-Job says Stopped.
            MarkFinished(JobState.Stopped, null);
        }
        // The run's own end may have won MarkFinished and still be publishing its state.
        if (!_finishedStateSet.IsSet) _finishedStateSet.Wait(StopTimeout);
    }

    /// <summary>Stops the job because the shell is going away; returns a line saying what was done.</summary>
    internal string StopForExit()
    {
        int live = 0;
        try { live = LiveSessions; } catch (ObjectDisposedException) { }
        StopJob();
        // A guard's sessions are other hosts': it ends none when it stops.
        if (Role == "guard") return $"PppoeProxy: stopped job {Id} ({Name}, guard on {Interface}) as the shell exits";
        return $"PppoeProxy: stopped job {Id} ({Name}, {Role} on {Interface}) as the shell exits; {live} live session(s) ended with PADTs";
    }

    private void Finish(Task run)
    {
        if (run.Exception?.GetBaseException() is { } failure && !_stopRequested)
        {
            var record = Commands.PppoeCmdlet.ToErrorRecord(failure, "ProxyFailed", Location);
            record.ErrorDetails = new ErrorDetails($"The proxy {Role} on {Interface} failed: {failure.Message}. Check the interface and restart the job.");
            Error.Add(record);
            MarkFinished(JobState.Failed, failure);
        }
        else MarkFinished(_stopRequested ? JobState.Stopped : JobState.Completed, null);
    }

    private void MarkFinished(JobState state, Exception? reason)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        ProxyJobExit.Forget(this);
        try { PublishState(state, reason); }
        finally { _finishedStateSet.Set(); }
    }

    private void PublishState(JobState state, Exception? reason)
    {
        if (reason is not null && SetJobStateWithReason is not null)
        {
            try
            {
                SetJobStateWithReason.Invoke(this, new object[] { state, reason });
                return;
            }
            catch (TargetInvocationException) { } // fall back to the state alone
        }
        SetJobState(state);
    }

    // Runs on the engine's forwarding threads: filter first so data frames cost nothing by default.
    private void OnFrame(in FrameView frame, DateTimeOffset time, TapDirection direction)
    {
        if (!_filter.Accepts(frame)) return;
        _frames.Add(JobFrame(new PppoeFrameInfo(PppoeFrame.FromView(frame, time, _end.Interface)), direction));
    }

    /// <summary>A frame the proxy relayed, with the way it went.</summary>
    internal static PSObject JobFrame(PppoeFrameInfo frame, TapDirection direction)
    {
        var item = PSObject.AsPSObject(frame);
        // As text, like the other properties: ConvertTo-Json and Export-Csv write "FromAc", not 2.
        item.Properties.Add(new PSNoteProperty("Direction", direction.ToString()));
        // Its own view shows Direction, which plain frames lack.
        item.TypeNames.Insert(0, JobFrameTypeName);
        return item;
    }

    private void Log(LogStream stream, string text)
    {
        switch (stream)
        {
            case LogStream.Warning: _warnings.Add(new WarningRecord(text)); break;
            case LogStream.Verbose: _verbose.Add(new VerboseRecord(text)); break;
            case LogStream.Debug: _debug.Add(new DebugRecord(text)); break;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (Volatile.Read(ref _finished) == 0) StopJob();
            _end.Tap = null;
            _end.Dispose();
            _cancel.Dispose();
            _finishedStateSet.Dispose();
        }
        base.Dispose(disposing);
    }
}
