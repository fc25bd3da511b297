namespace PppoeProxy.PowerShell.Support;

/// <summary>
/// Reports on the caller's thread. System.Progress posts to the thread pool, where WriteProgress
/// would fail: the engine reports from the pipeline thread, so this calls straight through.
/// </summary>
internal sealed class InlineProgress<T> : IProgress<T>
{
    private readonly Action<T> _report;

    public InlineProgress(Action<T> report) => _report = report;

    public void Report(T value) => _report(value);
}
