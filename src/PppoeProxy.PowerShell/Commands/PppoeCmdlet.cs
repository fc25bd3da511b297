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
        return new ErrorRecord(exception, descriptor.ErrorId, category, target);
    }

    protected void ThrowEngineError(Exception exception, string fallbackId, object? target) =>
        ThrowTerminatingError(ToErrorRecord(exception, fallbackId, target));

    protected void WriteEngineError(Exception exception, string fallbackId, object? target) =>
        WriteError(ToErrorRecord(exception, fallbackId, target));

    /// <summary>Paths are relative to the PowerShell location, which is not the process's current directory.</summary>
    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>Engine progress reported synchronously, so WriteProgress runs on the pipeline thread.</summary>
    protected IProgress<double> ProgressFor(string activity, string status) => new InlineProgress(fraction =>
        WriteProgress(new ProgressRecord(1, activity, status) { PercentComplete = (int)Math.Clamp(fraction * 100, 0, 100) }));

    protected void CompleteProgress(string activity) =>
        WriteProgress(new ProgressRecord(1, activity, "done") { RecordType = ProgressRecordType.Completed });

    private sealed class InlineProgress : IProgress<double>
    {
        private readonly Action<double> _report;
        public InlineProgress(Action<double> report) => _report = report;
        public void Report(double value) => _report(value);
    }

    protected static bool IsEngineFailure(Exception e) => e is not (PipelineStoppedException or OperationCanceledException);
}
