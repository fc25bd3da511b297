using System.Management.Automation;

namespace PppoeProxy.PowerShell.Support;

/// <summary>The parameter must be a unicast MAC address; the message comes from <see cref="ParameterChecks"/>.</summary>
public sealed class ValidateMacAddressAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckMac(text);
}
