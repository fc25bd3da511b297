using System.Management.Automation;

namespace PppoeProxy.PowerShell.Support;

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
