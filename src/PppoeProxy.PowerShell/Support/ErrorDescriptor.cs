namespace PppoeProxy.PowerShell.Support;

/// <summary>
/// An ErrorRecord's id and category. The category is kept as the name of an ErrorCategory member
/// so this mapping (and its tests) need no System.Management.Automation at run time.
/// </summary>
public readonly record struct ErrorDescriptor(string ErrorId, string Category);
