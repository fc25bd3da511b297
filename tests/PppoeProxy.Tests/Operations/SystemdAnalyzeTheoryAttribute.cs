using Xunit;

namespace PppoeProxy.Tests.Operations;

/// <summary>A [Theory] skipped, and saying so, where systemd's unit checker is not installed.</summary>
public sealed class SystemdAnalyzeTheoryAttribute : TheoryAttribute
{
    public const string Tool = "/usr/bin/systemd-analyze";

    public SystemdAnalyzeTheoryAttribute()
    {
        if (!File.Exists(Tool)) Skip = $"{Tool} not installed (Debian package systemd): unit files not verified";
    }
}
