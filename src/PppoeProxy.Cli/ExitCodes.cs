namespace PppoeProxy.Cli;

/// <summary>Exit codes, as the README documents them.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int RuntimeError = 1;
    public const int UsageError = 2;
}
