using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Pwsh = System.Management.Automation.PowerShell;

namespace PppoeProxy.Tests.PowerShell;

/// <summary>
/// A PowerShell runspace in the test process with out/PppoeProxy imported, exactly as a user imports
/// it: tests run scripts and get their output, streams and ErrorRecords back. Not thread-safe: one
/// script at a time (xunit runs a class's tests one after another).
/// </summary>
public sealed class ModuleHost : IDisposable
{
    private readonly Runspace _runspace;

    public static string ModuleFolder => RepoPaths.Of("out", "PppoeProxy");
    public static string Manifest => Path.Combine(ModuleFolder, "PppoeProxy.psd1");

    public ModuleHost()
    {
        if (!File.Exists(Manifest))
            throw new InvalidOperationException($"{Manifest} missing: `dotnet build PppoeProxy.sln -c Release` assembles it");
        var state = InitialSessionState.CreateDefault2();
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
        var import = Run("param($Manifest, $Root) Import-Module $Manifest -ErrorAction Stop; Set-Location $Root",
            new Dictionary<string, object?> { ["Manifest"] = Manifest, ["Root"] = RepoPaths.Root });
        if (import.AllErrors.Count > 0)
        {
            _runspace.Dispose();
            throw new InvalidOperationException($"Import-Module {Manifest} failed: {import}");
        }
    }

    /// <summary>Runs a script (with a param() block for <paramref name="parameters"/>) to completion.</summary>
    public HostResult Run(string script, IDictionary<string, object?>? parameters = null)
    {
        using var shell = Create(script, parameters);
        return Collect(shell, () => shell.Invoke());
    }

    /// <summary>Runs a script whose param() block takes the named values.</summary>
    public HostResult Run(string script, params (string Name, object? Value)[] parameters) =>
        Run(script, parameters.ToDictionary(p => p.Name, p => p.Value));

    /// <summary>A pipeline on this runspace, not started: for BeginInvoke and Stop (the Ctrl+C path).</summary>
    public Pwsh Create(string script, IDictionary<string, object?>? parameters = null)
    {
        var shell = Pwsh.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        if (parameters is not null) shell.AddParameters((IDictionary)parameters);
        return shell;
    }

    /// <summary>Runs <paramref name="invoke"/> and gathers what <paramref name="shell"/> wrote to every stream.</summary>
    public static HostResult Collect(Pwsh shell, Func<IEnumerable<PSObject>> invoke)
    {
        List<PSObject> output;
        ErrorRecord? terminating = null;
        try { output = invoke().ToList(); }
        catch (RuntimeException e)
        {
            output = new List<PSObject>();
            terminating = e.ErrorRecord;
        }
        return new HostResult(output, shell.Streams.Error.ToList(), shell.Streams.Warning.ToList(),
            shell.Streams.Verbose.ToList(), shell.Streams.Information.ToList(), terminating);
    }

    public void Dispose()
    {
        // Jobs left by a failed test would keep engine threads and sockets: stop them with the runspace.
        Run("Get-Job | Remove-Job -Force");
        _runspace.Dispose();
    }
}
