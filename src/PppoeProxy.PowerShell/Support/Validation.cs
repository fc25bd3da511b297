using System.Management.Automation;
using System.Management.Automation.Language;
using PppoeProxy.Engine.Capture;

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

public sealed class ValidateMacAddressAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckMac(text);
}

public sealed class ValidateCidrListAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckCidrList(text);
}

public sealed class ValidateEndpointAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckEndpoint(text);
}

public sealed class ValidateListenEndpointAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckListenEndpoint(text);
}

public sealed class ValidateFingerprintAttribute : ValidateTextAttribute
{
    protected override string? Check(string? text) => ParameterChecks.CheckFingerprint(text);
}

/// <summary>The path (relative to the current PowerShell location) must name an existing file.</summary>
public sealed class ValidateExistingFileAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var text = arguments is PSObject wrapped ? wrapped.BaseObject?.ToString() : arguments?.ToString();
        if (string.IsNullOrEmpty(text)) throw new ValidationMetadataException("the path is empty");
        var full = engineIntrinsics.SessionState.Path.GetUnresolvedProviderPathFromPSPath(text);
        if (!File.Exists(full)) throw new ValidationMetadataException($"'{text}' does not exist or is not a file");
    }
}

/// <summary>Tab completion for -Interface from /sys/class/net.</summary>
public sealed class InterfaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters) =>
        InterfaceNames.Complete(wordToComplete).Select(name =>
            new CompletionResult(name, name, CompletionResultType.ParameterValue,
                NetworkInterfaces.IsUp(name) ? $"{name} (up)" : $"{name} (down)"));
}
