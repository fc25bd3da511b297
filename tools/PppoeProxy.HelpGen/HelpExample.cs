namespace PppoeProxy.HelpGen;

/// <summary>One EXAMPLES entry: its heading, code block and the remarks after it.</summary>
public sealed record HelpExample(string Title, string Code, string Remarks);
