using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Module;

/// <summary>A [Fact] skipped with a clear reason where pwsh (and so Pester) is missing.</summary>
public sealed class PwshFactAttribute : FactAttribute
{
    public PwshFactAttribute()
    {
        if (PesterRunner.FindPwsh() is null) Skip = "pwsh not on PATH: Pester tests not run";
    }
}

public static class PesterRunner
{
    public static string? FindPwsh() => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "pwsh")).FirstOrDefault(File.Exists);
}

/// <summary>Runs tests/Pester with Invoke-Pester when pwsh is installed; any Pester failure fails this test.</summary>
public sealed class PesterTests(ITestOutputHelper output)
{
    [PwshFact]
    public void PesterSuitePasses()
    {
        // Invoke-Pester's own summary is not "N passed, N failed", so print one we can read in the xunit log.
        const string script = "$ErrorActionPreference='Stop'; Import-Module Pester -MinimumVersion 5.0; " +
            "$c = New-PesterConfiguration; $c.Run.Path = 'tests/Pester'; $c.Run.PassThru = $true; $c.Output.Verbosity = 'Detailed'; " +
            "$r = Invoke-Pester -Configuration $c; " +
            "Write-Host (\"PESTER: {0} passed, {1} failed, {2} skipped\" -f $r.PassedCount, $r.FailedCount, $r.SkippedCount); " +
            "exit ([int]($r.FailedCount -gt 0 -or $r.Result -ne 'Passed'))";
        var start = new ProcessStartInfo(PesterRunner.FindPwsh()!, new[] { "-NoProfile", "-NonInteractive", "-Command", script })
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        output.WriteLine(stdout);
        output.WriteLine(stderr.Result);
        Assert.True(process.ExitCode == 0, $"Pester failed (exit {process.ExitCode}):\n{stdout.Split('\n').LastOrDefault(l => l.StartsWith("PESTER:"))}\n{stderr.Result}");
    }
}
