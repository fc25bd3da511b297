using System.Management.Automation;

namespace PppoeProxy.PowerShell.Support;

/// <summary>The parameter must be HOST:PORT; the message comes from <see cref="ParameterChecks"/>.</summary>
public sealed class ValidateEndpointAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckEndpoint(text);
}
