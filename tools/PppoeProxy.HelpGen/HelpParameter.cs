namespace PppoeProxy.HelpGen;

/// <summary>One PARAMETERS entry: its description and the platyPS yaml block under it.</summary>
public sealed record HelpParameter(string Name, string Description, string Type, IReadOnlyList<string> Sets, string Aliases,
    bool Required, string Position, string DefaultValue, string PipelineInput, bool Wildcards = false);
