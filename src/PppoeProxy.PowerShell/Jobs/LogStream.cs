namespace PppoeProxy.PowerShell.Jobs;

/// <summary>Where a log event goes in a PowerShell host: warnings and errors are Warnings, information is Verbose.</summary>
public enum LogStream { None, Debug, Verbose, Warning }
