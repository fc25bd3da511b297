using System.Management.Automation;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>
/// What every PppoeProxy cmdlet shares: Ctrl+C cancels the engine call promptly (StopProcessing
/// cancels the token the engine polls), and engine exceptions become ErrorRecords with stable ids.
/// </summary>
public abstract class PppoeCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

    protected CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    internal static ErrorRecord ToErrorRecord(Exception exception, string fallbackId, object? target)
    {
        var descriptor = ErrorMapping.ForException(exception, fallbackId);
        var category = Enum.TryParse<ErrorCategory>(descriptor.Category, out var parsed) ? parsed : ErrorCategory.NotSpecified;
        var record = new ErrorRecord(exception, descriptor.ErrorId, category, target);
        // The engine says what is wrong; at the prompt the next step is finding the right name.
        if (descriptor.ErrorId == "InterfaceNotFound" && exception.Message.EndsWith("does not exist", StringComparison.Ordinal))
            record.ErrorDetails = new ErrorDetails($"{exception.Message}: check the name with 'ip link' (Tab after -Interface lists them)");
        return record;
    }

    protected void ThrowEngineError(Exception exception, string fallbackId, object? target) =>
        ThrowTerminatingError(ToErrorRecord(exception, fallbackId, target));

    protected void WriteEngineError(Exception exception, string fallbackId, object? target) =>
        WriteError(ToErrorRecord(exception, fallbackId, target));

    /// <summary>Paths are relative to the PowerShell location, which is not the process's current directory.</summary>
    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>
    /// -Path (wildcards expanded) or -LiteralPath (taken as typed) to file-system paths. A path that
    /// matches nothing, or names a directory, is a non-terminating error so the other files are still
    /// read (`Get-PppoeSession -Path a.pcap, gone.pcap` reads a.pcap).
    /// </summary>
    protected IEnumerable<string> ResolveFiles(string[]? paths, string[]? literalPaths)
    {
        foreach (var literal in literalPaths ?? Array.Empty<string>())
        {
            if (ExistingFile(literal, ResolvePath(literal)) is { } file) yield return file;
        }
        foreach (var path in paths ?? Array.Empty<string>())
        {
            if (!WildcardPattern.ContainsWildcardCharacters(path))
            {
                if (ExistingFile(path, ResolvePath(path)) is { } file) yield return file;
                continue;
            }
            IReadOnlyList<string> files;
            try
            {
                files = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _).Where(File.Exists).ToList();
            }
            catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
            {
                files = Array.Empty<string>();
            }
            if (files.Count == 0)
            {
                WriteError(new ErrorRecord(new FileNotFoundException($"'{path}' matches no file: check the pattern with Get-ChildItem '{path}'"),
                    "CaptureFileNotFound", ErrorCategory.ObjectNotFound, path));
            }
            foreach (var file in files) yield return file;
        }
    }

    /// <summary>The full path when it names a file; otherwise writes the error that says why and returns null.</summary>
    private string? ExistingFile(string typed, string full)
    {
        if (File.Exists(full)) return full;
        if (Directory.Exists(full))
        {
            WriteError(new ErrorRecord(new IOException($"'{typed}' is a directory: give the capture files in it, e.g. -Path '{System.IO.Path.Combine(typed, "*.pcap")}'"),
                "CapturePathIsDirectory", ErrorCategory.InvalidArgument, typed));
            return null;
        }
        WriteError(new ErrorRecord(new FileNotFoundException($"'{typed}' does not exist: check the path (Get-ChildItem {System.IO.Path.GetDirectoryName(full)})"),
            "CaptureFileNotFound", ErrorCategory.ObjectNotFound, typed));
        return null;
    }

    /// <summary>Text for the user when the pipeline can no longer take output (after Ctrl+C).</summary>
    protected void TellHost(string line)
    {
        try { Host.UI.WriteWarningLine(line); }
        catch (Exception) { Console.Error.WriteLine(line); }
    }

    /// <summary>Engine progress reported synchronously, so WriteProgress runs on the pipeline thread.</summary>
    protected IProgress<double> ProgressFor(string activity, string status) => new InlineProgress<double>(fraction =>
        WriteProgress(new ProgressRecord(1, activity, status) { PercentComplete = (int)Math.Clamp(fraction * 100, 0, 100) }));

    /// <summary>
    /// Progress of a timed capture: time left and what was found. A new record each time: the
    /// progress stream keeps references, so a reused record would rewrite what was reported before.
    /// </summary>
    protected void WriteTimedProgress(string activity, string status, TimeSpan elapsed, int timeoutSeconds)
    {
        var record = new ProgressRecord(1, activity, status);
        if (timeoutSeconds > 0)
        {
            record.SecondsRemaining = Math.Max(0, (int)Math.Ceiling(timeoutSeconds - elapsed.TotalSeconds));
            record.PercentComplete = (int)Math.Clamp(elapsed.TotalSeconds * 100 / timeoutSeconds, 0, 100);
        }
        WriteProgress(record);
    }

    protected void CompleteProgress(string activity) =>
        WriteProgress(new ProgressRecord(1, activity, "done") { RecordType = ProgressRecordType.Completed });

    protected static bool IsEngineFailure(Exception e) => e is not (PipelineStoppedException or OperationCanceledException);

    /// <summary>
    /// A timed live listen (<paramref name="listen"/> gets a status sink for the progress bar). Returns
    /// what was found, or null when there is nothing to emit: the failure is already written, or Ctrl+C
    /// stopped the pipeline, which takes no more output, so what was found is told to the host instead.
    /// </summary>
    private protected IReadOnlyList<T>? ListenLive<T>(string activity, int timeoutSeconds, string errorId, string target,
        string noun, Func<Action<string>, IReadOnlyList<T>> listen, Func<T, object> shown)
    {
        // The timeout runs from when the capture is open, which is when the first beat comes.
        DateTime? started = null;
        IReadOnlyList<T> found;
        try
        {
            found = listen(status =>
            {
                started ??= DateTime.UtcNow;
                WriteTimedProgress(activity, status, DateTime.UtcNow - started.Value, timeoutSeconds);
            });
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            WriteEngineError(e, errorId, target);
            return null;
        }
        finally
        {
            if (!Stopping) CompleteProgress(activity);
        }
        if (Stopping)
        {
            TellHost($"stopped: {found.Count} {noun} on {target} (not emitted; the pipeline was stopped)");
            foreach (var item in found) TellHost("  " + shown(item));
            return null;
        }
        WriteVerbose($"{found.Count} {noun} on {target}");
        return found;
    }
}
