namespace PppoeProxy.Cli;

/// <summary>Where a command writes, and whether someone is there to answer a question.</summary>
public sealed record Console2(TextWriter Out, TextWriter Error, TextReader In, bool Interactive);
