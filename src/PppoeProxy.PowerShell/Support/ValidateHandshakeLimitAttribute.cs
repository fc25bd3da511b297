namespace PppoeProxy.PowerShell.Support;

/// <summary>The parameter must be N or START:RATE:FULL; the message comes from <see cref="ParameterChecks"/>.</summary>
public sealed class ValidateHandshakeLimitAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckHandshakeLimit(text);
}
