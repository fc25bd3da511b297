using System.Management.Automation;
using System.Management.Automation.Language;
using PppoeProxy.Engine.Capture;

namespace PppoeProxy.PowerShell.Support;

/// <summary>Tab completion for -Interface from /sys/class/net.</summary>
public sealed class InterfaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters) =>
        InterfaceNames.Complete(wordToComplete).Select(name =>
            new CompletionResult(name, name, CompletionResultType.ParameterValue,
                NetworkInterfaces.IsUp(name) ? $"{name} (up)" : $"{name} (down)"));
}
