namespace PppoeProxy.Cli;

/// <summary>A usage mistake found after parsing (e.g. two options that exclude each other).</summary>
public sealed class UsageException(string message) : Exception(message);
