using System.Management.Automation;

namespace PppoeProxy.PowerShell.Support;

/// <summary>The parameter must be a list of CIDRs; the message comes from <see cref="ParameterChecks"/>.</summary>
public sealed class ValidateCidrListAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckCidrList(text);
}
