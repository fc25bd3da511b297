using System.Management.Automation;

namespace PppoeProxy.PowerShell.Support;

/// <summary>The parameter must be a SHA-256 certificate fingerprint; the message comes from <see cref="ParameterChecks"/>.</summary>
public sealed class ValidateFingerprintAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckFingerprint(text);
}
