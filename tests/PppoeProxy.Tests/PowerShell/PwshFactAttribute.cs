using Xunit;

namespace PppoeProxy.Tests.PowerShell;

/// <summary>A [Fact] that needs the pinned pwsh in .tools/ (run-tests.sh installs it; skipped with the reason otherwise).</summary>
public sealed class PwshFactAttribute : FactAttribute
{
    public PwshFactAttribute()
    {
        if (!File.Exists(FreshPwshTests.Pwsh)) Skip = $"needs the pinned pwsh at {FreshPwshTests.Pwsh}: run scripts/install-pwsh.sh (run-tests.sh does)";
    }
}
