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
/// Start-PppoeProxyServer and Start-PppoeProxyClient: the same engine lifecycle, as a background
/// job (default) or in the foreground with -Wait.
/// </summary>
public abstract class StartProxyCommandBase : PppoeCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(InterfaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    /// <summary>Tcp (TLS 1.3, the default) or Udp (DTLS 1.2: no head-of-line blocking on a lossy path).</summary>
    [Parameter]
    public TunnelTransportKind Transport { get; set; } = TunnelTransportKind.Tcp;

    // No parameter sets for TLS vs -Insecure: PowerShell would reject a mix with a generic
    // "parameter set cannot be resolved" (or a file check first); CheckSecurityParameters names the conflict.
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyPath { get; set; }

    [Parameter]
    [ValidateFingerprint]
    public string[]? TrustedFingerprint { get; set; }

    [Parameter]
    public SwitchParameter Insecure { get; set; }

    /// <summary>Seconds a dropped tunnel's sessions are held before they are ended with PADTs.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int GracePeriod { get; set; } = (int)ProxyEndOptions.DefaultGrace.TotalSeconds; // shown by Get-Help; the engine applies it

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

    protected override void BeginProcessing() => CheckSecurityParameters();

    /// <summary>The engine's rule (one place for CLI and cmdlets), its setting names spelled as this cmdlet's parameters.</summary>
    private static readonly IReadOnlyDictionary<string, string> ParameterNames = new Dictionary<string, string>
    {
        ["cert"] = "-" + nameof(CertificatePath), ["key"] = "-" + nameof(KeyPath), ["trust"] = "-" + nameof(TrustedFingerprint),
        ["insecure"] = "-" + nameof(Insecure),
    };

    private void CheckSecurityParameters()
    {
        try
        {
            Engine.Operations.ProxyOptionsBuilder.CheckSecurity(new Engine.Operations.ProxySettings
            {
                Insecure = Insecure.IsPresent, Certificate = CertificatePath, Key = KeyPath, Trust = TrustedFingerprint,
            });
        }
        catch (Engine.Operations.ProxyOptionsException bad)
        {
            var errorId = bad.Option == "insecure" ? "InsecureWithTlsParameters" : "TlsParametersMissing";
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(bad.Describe(name => ParameterNames.GetValueOrDefault(name, "-" + name)), bad),
                errorId, ErrorCategory.InvalidArgument, null));
        }
        if (Insecure.IsPresent) return;
        foreach (var path in new[] { CertificatePath!, KeyPath! })
        {
            if (!File.Exists(ResolvePath(path)))
            {
                ThrowTerminatingError(new ErrorRecord(new FileNotFoundException(
                        $"'{path}' does not exist or is not a file: New-PppoeProxyCertificate -Path PREFIX makes PREFIX.crt and PREFIX.key"),
                    "TlsFileNotFound", ErrorCategory.ObjectNotFound, path));
            }
        }
    }

    /// <summary>The shared parameters as typed, for the engine's options builder (which holds the defaults).</summary>
    private protected Engine.Operations.ProxySettings TypedSettings() => new()
    {
        Interface = Interface,
        Insecure = Insecure.IsPresent,
        Transport = MyInvocation.BoundParameters.ContainsKey(nameof(Transport)) ? Transport.ToString() : null,
        // CheckSecurityParameters made sure both paths are given unless -Insecure.
        Certificate = Insecure.IsPresent ? null : ResolvePath(CertificatePath!),
        Key = Insecure.IsPresent ? null : ResolvePath(KeyPath!),
        Trust = Insecure.IsPresent ? null : TrustedFingerprint,
        // Only what the user gave: the defaults live in the engine.
        Grace = MyInvocation.BoundParameters.ContainsKey(nameof(GracePeriod)) ? GracePeriod.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
    };

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

    private bool ConfirmStart(string role) =>
        ShouldProcess($"{Interface} and {EndpointText}",
            $"Start the proxy {role}: capture PPPoE in promiscuous mode on {Interface}, {(role == "server" ? "listen on" : "connect to")} {EndpointText}");

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
        if (Insecure.IsPresent) WriteWarning("-Insecure: the tunnel is plain text; PPP credentials cross it in clear");
        WarnIfInterfaceInUse();
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
    private void WarnIfInterfaceInUse()
    {
        foreach (var other in JobRepository.Jobs.OfType<PppoeProxyJob>())
        {
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
            if (Insecure.IsPresent) WriteWarning("-Insecure: the tunnel is plain text; PPP credentials cross it in clear");
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
    private void SayStopped(IProxyEnd end, int sessionsEnded)
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
