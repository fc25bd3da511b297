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
    /// <summary>For -Path: a wildcard pattern is fine when it matches at least one file.</summary>
    public bool AllowWildcards { get; set; }

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        var items = value is string or null ? new[] { value } : (value as System.Collections.IEnumerable)?.Cast<object?>() ?? new[] { value };
        foreach (var item in items)
        {
            var text = (item is PSObject w ? w.BaseObject : item)?.ToString();
            if (string.IsNullOrEmpty(text)) throw new ValidationMetadataException("the path is empty");
            var paths = engineIntrinsics.SessionState.Path;
            if (AllowWildcards && WildcardPattern.ContainsWildcardCharacters(text))
            {
                bool any;
                try { any = paths.GetResolvedProviderPathFromPSPath(text, out _).Any(File.Exists); }
                catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException) { any = false; }
                if (!any) throw new ValidationMetadataException($"'{text}' matches no file");
                continue;
            }
            if (!File.Exists(paths.GetUnresolvedProviderPathFromPSPath(text)))
                throw new ValidationMetadataException($"'{text}' does not exist or is not a file");
        }
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
