using System.Collections.Concurrent;
using System.Management.Automation;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.PowerShell.Jobs;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>
/// Start-PppoeProxyServer and Start-PppoeProxyClient: the same engine lifecycle, as a background
/// job (default) or in the foreground with -Wait.
/// </summary>
public abstract class StartProxyCommandBase : PppoeCmdlet
{
    protected const string TlsSet = "Tls";
    protected const string InsecureSet = "Insecure";

    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(InterfaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = TlsSet)]
    [ValidateExistingFile]
    public string CertificatePath { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = TlsSet)]
    [ValidateExistingFile]
    public string KeyPath { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = TlsSet)]
    [ValidateFingerprint]
    public string[] TrustedFingerprint { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = InsecureSet)]
    public SwitchParameter Insecure { get; set; }

    /// <summary>Seconds a dropped tunnel's sessions are held before they are ended with PADTs.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int GracePeriod { get; set; } = 30;

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

    /// <summary>The shared parameters as typed, for the engine's options builder (which holds the defaults).</summary>
    private protected Engine.Operations.ProxySettings TypedSettings() => new()
    {
        Interface = Interface,
        Insecure = Insecure.IsPresent,
        Certificate = Insecure.IsPresent ? null : ResolvePath(CertificatePath),
        Key = Insecure.IsPresent ? null : ResolvePath(KeyPath),
        Trust = Insecure.IsPresent ? null : TrustedFingerprint,
        // Only what the user gave: the defaults live in the engine.
        Grace = MyInvocation.BoundParameters.ContainsKey(nameof(GracePeriod)) ? GracePeriod.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
    };

    protected override void EndProcessing()
    {
        if (Insecure.IsPresent) WriteWarning("-Insecure: the tunnel is plain text; PPP credentials cross it in clear");
        if (Wait.IsPresent) RunInForeground(); else StartJob();
    }

    private void StartJob()
    {
        PppoeProxyJob job;
        try
        {
            job = new PppoeProxyJob(MyInvocation.Line, Name, CreateEnd, OutputLimit, IncludeData.IsPresent);
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            ThrowEngineError(e, "ProxyConfigInvalid", Interface);
            return;
        }
        try
        {
            WriteVerbose($"opening {Interface} and starting the proxy {job.Role} ({job.Endpoint})");
            job.Start();
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            job.Dispose();
            ThrowEngineError(e, "ProxyStartFailed", Interface);
            return;
        }
        JobRepository.Add(job);
        WriteVerbose($"job {job.Id} running: Receive-Job for frames, Stop-Job to stop (PADTs are sent for live sessions)");
        WriteObject(job);
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
            end.Tap = (in FrameView frame, DateTimeOffset time, TapDirection _) =>
            {
                if (!filter.Accepts(frame)) return;
                var item = PppoeFrame.FromView(frame, time, Interface);
                TryQueue(queue, () => WriteObject(item));
            };
            end.Start();
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            ThrowEngineError(e, "ProxyStartFailed", Interface);
            return;
        }
        using (end)
        {
            var run = Task.Run(() => end.RunAsync(StopToken));
            run.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
            WriteVerbose($"proxy {end.Role} running on {Interface} ({end.Endpoint}); Ctrl+C stops it gracefully");
            foreach (var write in queue.GetConsumingEnumerable())
            {
                // After Ctrl+C the pipeline refuses writes; keep draining so the engine's stop completes.
                if (Stopping) continue;
                try { write(); } catch (PipelineStoppedException) { }
            }
            if (run.Exception?.GetBaseException() is { } failure && !Stopping)
                ThrowEngineError(failure, "ProxyFailed", Interface);
        }
    }

    private static void TryQueue(BlockingCollection<Action> queue, Action write)
    {
        try { queue.TryAdd(write); }
        // Completed or disposed: the engine logged its last words after the run ended.
        catch (InvalidOperationException) { }
    }
}
