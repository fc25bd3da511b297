namespace PppoeProxy.HelpGen;

/// <summary>One cmdlet's help as read from its platyPS-style markdown under help/.</summary>
public sealed record CmdletHelp(string Name, string Synopsis, string Description, IReadOnlyList<HelpExample> Examples,
    IReadOnlyList<HelpParameter> Parameters, IReadOnlyList<(string Type, string Text)> Inputs,
    IReadOnlyList<(string Type, string Text)> Outputs, string Notes);
