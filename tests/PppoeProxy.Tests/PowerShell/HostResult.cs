using System.Management.Automation;

namespace PppoeProxy.Tests.PowerShell;

/// <summary>
/// What one script run in a <see cref="ModuleHost"/> produced: the pipeline output, every stream, and
/// the error that ended the script, if one did. A cmdlet's ThrowTerminatingError ends only its
/// statement, so its ErrorRecord is in <see cref="Errors"/> like a non-terminating one.
/// </summary>
public sealed record HostResult(IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<WarningRecord> Warnings, IReadOnlyList<VerboseRecord> Verbose, IReadOnlyList<InformationRecord> Information,
    ErrorRecord? Terminating)
{
    /// <summary>The output's base objects (PSObject wrappers removed).</summary>
    public IReadOnlyList<object> Objects => Output.Select(o => o.BaseObject).ToList();

    /// <summary>Every error, non-terminating first, then the one that stopped the script.</summary>
    public IReadOnlyList<ErrorRecord> AllErrors => Terminating is null ? Errors : Errors.Append(Terminating).ToList();

    /// <summary>For assertion messages: what went wrong, one line per error.</summary>
    public override string ToString() =>
        $"{Output.Count} output object(s); errors:\n" + string.Join('\n', AllErrors.Select(e => $"  {e.FullyQualifiedErrorId} [{e.CategoryInfo.Category}] {e}"));
}
