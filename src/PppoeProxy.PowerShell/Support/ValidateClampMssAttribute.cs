namespace PppoeProxy.PowerShell.Support;

/// <summary>The parameter must be auto, off or an MSS from 536 to 65495; the message comes from <see cref="ParameterChecks"/>.</summary>
public sealed class ValidateClampMssAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckClampMss(text);
}
