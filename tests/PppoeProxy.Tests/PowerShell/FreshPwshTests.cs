using Xunit;

namespace PppoeProxy.Tests.PowerShell;

/// <summary>
/// The module folder is self-contained: a copy of out/PppoeProxy outside the repo, found through a
/// PSModulePath naming only that copy's parent, imports by name in a fresh pinned pwsh and its cmdlets run.
/// </summary>
public sealed class FreshPwshTests
{
    public static string Pwsh => RepoPaths.Of(".tools", "pwsh", "pwsh");

    [PwshFact]
    public void ACopiedModuleFolderImportsByNameInAFreshPwshAndRuns()
    {
        using var temp = new TempFolder();
        var modules = Path.Combine(temp.Path, "Modules");
        CopyFolder(ModuleHost.ModuleFolder, Path.Combine(modules, "PppoeProxy"));
        const string script = """
            $ErrorActionPreference = 'Stop'
            Import-Module PppoeProxy
            (Get-Module PppoeProxy).ModuleBase
            (Get-Command -Module PppoeProxy).Count
            @(Get-PppoeSession -Path $env:PPX_SAMPLE).Count
            (Get-Help Send-PppoePadt).Synopsis.Length -gt 0
            """;
        var env = new Dictionary<string, string> { ["PSModulePath"] = modules, ["PPX_SAMPLE"] = RepoPaths.SampleCapture };
        var r = Run(temp.Path, env, "-NoProfile", "-NonInteractive", "-Command", script);
        Assert.True(r.Ok, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Path.Combine(modules, "PppoeProxy"), lines[0]);
        Assert.Equal("9", lines[1]); // the eight cmdlets of the first issues and Start-PppoeGuard
        Assert.Equal(Engine.Operations.SessionFinding.FromFile(RepoPaths.SampleCapture).Count.ToString(), lines[2]);
        Assert.Equal("True", lines[3]);
    }

    private static CommandResult Run(string workingDirectory, IDictionary<string, string> env, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Pwsh)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (key, value) in env) psi.Environment[key] = value;
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        bool timedOut = !p.WaitForExit(TimeSpan.FromSeconds(60));
        if (timedOut) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return new CommandResult(timedOut ? -1 : p.ExitCode, stdout.Result, stderr.Result, timedOut);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyFolder(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
