using System.Management.Automation;
using Xunit;

namespace PppoeProxy.Tests.PowerShell;

/// <summary>
/// The module as PowerShell sees it once imported from out/PppoeProxy: manifest, exports, verbs,
/// ShouldProcess, formats and help, each read back through a real runspace.
/// </summary>
public sealed class ModuleManifestTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    private static readonly string[] IssueCmdlets =
    {
        "Export-PppoeFrame", "Find-PppoeServer", "Get-PppoeFrame", "Get-PppoeSession",
        "New-PppoeProxyCertificate", "Send-PppoePadt", "Start-PppoeGuard", "Start-PppoeProxyClient", "Start-PppoeProxyServer",
    };

    [Fact]
    public void TestModuleManifestAcceptsTheAssembledManifest()
    {
        var r = host.Run("param($Path) Test-ModuleManifest -Path $Path -ErrorAction Continue",
            new Dictionary<string, object?> { ["Path"] = ModuleHost.Manifest });
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        var info = Assert.IsType<PSModuleInfo>(Assert.Single(r.Objects));
        Assert.Equal("PppoeProxy", info.Name);
        Assert.Equal(IssueCmdlets, info.ExportedCmdlets.Keys.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public void TheModuleLoadsFromTheModuleFolderAndExportsExactlyTheIssuesCmdlets()
    {
        var r = host.Run("Get-Module PppoeProxy | Select-Object -ExpandProperty ModuleBase; (Get-Command -Module PppoeProxy).Name | Sort-Object");
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        Assert.Equal(Path.GetFullPath(ModuleHost.ModuleFolder), Path.GetFullPath((string)r.Objects[0]));
        Assert.Equal(IssueCmdlets, r.Objects.Skip(1).Cast<string>().OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void EveryCmdletUsesAVerbGetVerbApproves()
    {
        var r = host.Run("$approved = (Get-Verb).Verb; Get-Command -Module PppoeProxy | Where-Object Verb -notin $approved | ForEach-Object Name");
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        Assert.True(r.Output.Count == 0, "unapproved verbs: " + string.Join(", ", r.Objects));
    }

    [Fact]
    public void SendPppoePadtIsHighImpactWithShouldProcessAndVlanIdAlias()
    {
        var r = host.Run("$m = [System.Management.Automation.CommandMetadata]::new((Get-Command Send-PppoePadt)); " +
                         "$m.SupportsShouldProcess; $m.ConfirmImpact.ToString(); (Get-Command Send-PppoePadt).Parameters['VlanId'].Aliases");
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        Assert.Equal(new object[] { true, "High", "VlanIds" }, r.Objects);
    }

    [Fact]
    public void EveryCmdletsOutputTypeHasAFormatViewLoadedByTheManifest()
    {
        // Get-FormatData sees only what FormatsToProcess loaded: a view missing from the manifest fails here too.
        var r = host.Run("foreach ($c in Get-Command -Module PppoeProxy) { " +
                         "if (-not $c.OutputType) { \"$($c.Name): no [OutputType]\" }; " +
                         "foreach ($t in $c.OutputType.Name) { if (-not (Get-FormatData -TypeName $t)) { \"$($c.Name) emits $t, which has no view\" } } }");
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        Assert.True(r.Output.Count == 0, string.Join("\n", r.Objects));
    }

    [Fact]
    public void GetHelpShowsSynopsisTwoExamplesAndEveryParameterDescribedForEveryCmdlet()
    {
        const string script = """
            $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
            foreach ($c in Get-Command -Module PppoeProxy) {
                $help = Get-Help $c.Name -Full
                if (-not $help.Synopsis -or $help.Synopsis -eq $c.Name -or $help.Synopsis -match '^\s*\S+\s+\[') { "$($c.Name): no synopsis" }
                if (@($help.Examples.Example).Count -lt 2) { "$($c.Name): fewer than 2 examples" }
                foreach ($p in $c.Parameters.Keys | Where-Object { $_ -notin $common }) {
                    $described = $help.Parameters.Parameter | Where-Object Name -eq $p | Where-Object { ($_.Description | Out-String).Trim() }
                    if (-not $described) { "$($c.Name) -$($p): no help description" }
                }
            }
            """;
        var r = host.Run(script);
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        Assert.True(r.Output.Count == 0, string.Join("\n", r.Objects));
    }

    [Fact]
    public void GetHelpFindsTheAboutTopicShippedInTheModuleFolder()
    {
        var r = host.Run("Get-Help about_PppoeProxy | Out-String");
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        Assert.Contains("macvlan", (string)Assert.Single(r.Objects));
    }
}
