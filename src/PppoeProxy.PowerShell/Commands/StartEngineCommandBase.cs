using System.Collections.Concurrent;
using System.Management.Automation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.PowerShell.Jobs;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>
/// What the Start-* cmdlets that run an engine end share (the proxy server and client, the guard): the
/// interface, a background job (default) or the foreground with -Wait, frames to the pipeline.
/// </summary>
public abstract class StartEngineCommandBase : PppoeCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(InterfaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    [Parameter]
    public SwitchParameter IncludeData { get; set; }

    [Parameter]
    [ValidateRange(1, 10_000_000)]
    public int OutputLimit { get; set; } = 10_000;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public SwitchParameter Wait { get; set; }

    private protected abstract IProxyEnd CreateEnd(ILogger logger);

    /// <summary>The endpoint a socket error is about (the listen address or the server), for ErrorRecord targets.</summary>
    private protected abstract string EndpointText { get; }

    /// <summary>ShouldProcess for the start; false: nothing is started.</summary>
    private protected abstract bool ConfirmStart(string role);

    /// <summary>Warnings about the configuration, said once just before the start.</summary>
    private protected virtual void WarnBeforeStart() { }

    protected override void EndProcessing()
    {
        if (Wait.IsPresent) RunInForeground(); else StartJob();
    }

    /// <summary>The command as typed parameters, for Get-Job's Command column (not the whole input line).</summary>
    private string CommandText() =>
        string.Join(' ', new[] { MyInvocation.MyCommand.Name }.Concat(MyInvocation.BoundParameters.Select(p => p.Value switch
        {
            SwitchParameter s => s.IsPresent ? $"-{p.Key}" : $"-{p.Key}:$false",
            string[] list => $"-{p.Key} {string.Join(',', list.Select(Quote))}",
            _ => $"-{p.Key} {Quote(p.Value?.ToString() ?? "")}",
        })));

    private static string Quote(string text) => text.Length > 0 && text.All(c => char.IsLetterOrDigit(c) || ".:/-_[]*".Contains(c))
        ? text : $"'{text.Replace("'", "''")}'";

    private void StartJob()
    {
        PppoeProxyJob job;
        try
        {
            job = new PppoeProxyJob(CommandText(), Name, CreateEnd, OutputLimit, IncludeData.IsPresent);
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            WriteEngineError(e, "ProxyConfigInvalid", Interface);
            return;
        }
        if (!ConfirmStart(job.Role))
        {
            job.Dispose();
            return;
        }
        WarnBeforeStart();
        WarnIfInterfaceInUse(job.Role);
        try
        {
            WriteVerbose($"opening {Interface} and starting the proxy {job.Role} ({job.Endpoint})");
            job.Start();
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            job.Dispose();
            WriteStartError(e);
            return;
        }
        JobRepository.Add(job);
        ProxyJobExit.Track(job, System.Management.Automation.Runspaces.Runspace.DefaultRunspace);
        WriteVerbose($"job {job.Id} running: Receive-Job for frames, Stop-Job to stop (PADTs are sent for live sessions)");
        WriteObject(job);
    }

    /// <summary>
    /// Two proxy jobs on one interface both relay its PPPoE: a client's PADI reaches two ACs (or
    /// two tunnels) and it may end up with two sessions. Allowed (a test may want it), but said.
    /// </summary>
    private void WarnIfInterfaceInUse(string role)
    {
        if (role == "guard") return; // a guard relays nothing: beside a proxy it only watches
        foreach (var other in JobRepository.Jobs.OfType<PppoeProxyJob>())
        {
            if (other.Role == "guard") continue;
            if (other.JobStateInfo.State == JobState.Running && string.Equals(other.Interface, Interface, StringComparison.Ordinal))
                WriteWarning($"proxy job {other.Id} ({other.Name}, {other.Role}) already runs on {Interface}: both relay its PPPoE; Stop-Job {other.Id} unless that is meant");
        }
    }

    /// <summary>Socket errors are about the endpoint, capture errors about the interface; each says what to do.</summary>
    /// <remarks>Non-terminating, so -ErrorAction decides; nothing was started, so there is nothing to clean up.</remarks>
    private void WriteStartError(Exception e)
    {
        var record = ToErrorRecord(e, "ProxyStartFailed", e is SocketException ? EndpointText : Interface);
        if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            record.ErrorDetails = new ErrorDetails($"{EndpointText} is already in use: stop what listens there (Get-Job; ss -ltnp) or choose another -Listen port");
        WriteError(record);
    }

    // Engine threads never touch the pipeline: they queue work that this thread runs.
    private void RunInForeground()
    {
        using var queue = new BlockingCollection<Action>();
        var filter = new TapFrameFilter(IncludeData.IsPresent);
        var logger = new CallbackLogger((stream, text) => TryQueue(queue, () =>
        {
            if (stream == LogStream.Warning) WriteWarning(text);
            else if (stream == LogStream.Verbose) WriteVerbose(text);
            else if (stream == LogStream.Debug) WriteDebug(text);
        }));
        IProxyEnd end;
        try
        {
            end = CreateEnd(logger);
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            WriteEngineError(e, "ProxyConfigInvalid", Interface);
            return;
        }
        using (end)
        {
            if (!ConfirmStart(end.Role)) return;
            WarnBeforeStart();
            end.Tap = (in FrameView frame, DateTimeOffset time, TapDirection direction) =>
            {
                if (!filter.Accepts(frame)) return;
                // The same object as a job's Receive-Job gives, so -Wait output shows Direction too.
                var item = PppoeProxyJob.JobFrame(new PppoeFrameInfo(PppoeFrame.FromView(frame, time, Interface)), direction);
                TryQueue(queue, () => WriteObject(item));
            };
            try { end.Start(); }
            catch (Exception e) when (IsEngineFailure(e))
            {
                WriteStartError(e);
                return;
            }
            var run = Task.Run(() => end.RunAsync(StopToken));
            run.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
            WriteVerbose($"proxy {end.Role} running on {Interface} ({end.Endpoint}); Ctrl+C stops it gracefully");
            // Counted when Ctrl+C arrives: those are the sessions the engine now ends with PADTs.
            int liveAtStop = 0;
            using var onStop = StopToken.Register(() => liveAtStop = end.Status().Sessions.Count(s => s.State == Engine.Sessions.SessionState.Established));
            foreach (var write in queue.GetConsumingEnumerable())
            {
                // After Ctrl+C the pipeline refuses writes; keep draining so the engine's stop completes.
                if (Stopping) continue;
                try { write(); } catch (PipelineStoppedException) { }
            }
            if (Stopping) SayStopped(end, liveAtStop);
            if (run.Exception?.GetBaseException() is { } failure && !Stopping)
                WriteEngineError(failure, "ProxyFailed", Interface);
        }
    }

    /// <summary>After Ctrl+C the pipeline takes no more output, but the host still shows text.</summary>
    private protected virtual void SayStopped(IProxyEnd end, int sessionsEnded)
    {
        var counters = new ProxyStatistics(end.Status());
        var line = $"proxy {end.Role} on {Interface} stopped: {sessionsEnded} live session(s) ended with PADTs; {counters.FramesToTunnel} frame(s) to and {counters.FramesFromTunnel} from the tunnel";
        try { Host.UI.WriteWarningLine(line); }
        catch (Exception) { Console.Error.WriteLine(line); }
    }

    private static void TryQueue(BlockingCollection<Action> queue, Action write)
    {
        try { queue.TryAdd(write); }
        // Completed or disposed: the engine logged its last words after the run ended.
        catch (InvalidOperationException) { }
    }
}
