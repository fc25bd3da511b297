using System.Management.Automation;

namespace PppoeProxy.PowerShell.Support;

/// <summary>The parameter must be an IP address and port to listen on (port 0 picks a free one); the message comes from <see cref="ParameterChecks"/>.</summary>
public sealed class ValidateListenEndpointAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckListenEndpoint(text);
}
