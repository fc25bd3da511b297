using System.Management.Automation;

namespace PppoeProxy.PowerShell.Support;

/// <summary>Shared base: turns a <see cref="ParameterChecks"/> message into PowerShell's validation error.</summary>
public abstract class ValidateTextAttribute : ValidateEnumeratedArgumentsAttribute
{
    protected abstract string? Check(string? text);

    protected override void ValidateElement(object element)
    {
        var text = element is PSObject wrapped ? wrapped.BaseObject?.ToString() : element?.ToString();
        if (Check(text) is { } message) throw new ValidationMetadataException(message);
    }
}
