using System.Text.RegularExpressions;
using System.Xml.Linq;
using PppoeProxy.HelpGen;
using PppoeProxy.Tests.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.PowerShell;

/// <summary>
/// The module's files: the manifest at the repo root, the assembled out/PppoeProxy folder, formats and
/// help sources. What PowerShell itself makes of them is proven by running it (PowerShell/ModuleManifestTests).
/// </summary>
public sealed class ModuleContractTests
{
    public static string Manifest => RepoPaths.Of("PppoeProxy.psd1");
    public static string FormatFile => RepoPaths.Of("src", "PppoeProxy.PowerShell", "PppoeProxy.Format.ps1xml");
    public static string MamlFile => RepoPaths.Of("en-US", "PppoeProxy.PowerShell.dll-Help.xml");

    [Fact]
    public void ManifestVersionEqualsTheBuildVersion()
    {
        var props = XDocument.Load(RepoPaths.Of("Directory.Build.props"));
        var version = props.Descendants("Version").Single().Value;
        Assert.Equal(version, ManifestValue("ModuleVersion"));
    }

    [Fact]
    public void ManifestNamesFilesBesideItAndTheModuleFolderHasThemAll()
    {
        var entries = new[] { ManifestValue("RootModule") }.Concat(ManifestList("FormatsToProcess")).Concat(ManifestList("TypesToProcess")).ToList();
        Assert.Equal(3, entries.Count);
        foreach (var entry in entries)
        {
            // A bare file name: the same psd1 works wherever the module folder is copied.
            Assert.Equal(Path.GetFileName(entry), entry);
            Assert.True(File.Exists(Path.Combine(ModuleHost.ModuleFolder, entry)), $"{entry} not in {ModuleHost.ModuleFolder}: run dotnet build -c Release");
        }
        Assert.Equal(File.ReadAllText(Manifest), File.ReadAllText(ModuleHost.Manifest));
        Assert.True(File.Exists(Path.Combine(ModuleHost.ModuleFolder, "PppoeProxy.Engine.dll")), "the engine DLL is not shipped");
        Assert.True(File.Exists(Path.Combine(ModuleHost.ModuleFolder, "en-US", "PppoeProxy.PowerShell.dll-Help.xml")), "no MAML in the module folder");
        Assert.True(File.Exists(Path.Combine(ModuleHost.ModuleFolder, "en-US", "about_PppoeProxy.help.txt")), "no about topic in the module folder");
    }

    [Fact]
    public void TheModuleFolderShipsNoPowerShellAssembly()
    {
        var shipped = Directory.GetFiles(ModuleHost.ModuleFolder, "*.dll").Select(Path.GetFileName).ToList();
        Assert.Contains("PppoeProxy.PowerShell.dll", shipped);
        var powershell = shipped.Where(f => f!.StartsWith("System.Management.Automation", StringComparison.OrdinalIgnoreCase)
            || f.StartsWith("Microsoft.PowerShell.", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(powershell.Count == 0, "PowerShell's own assemblies shipped: " + string.Join(", ", powershell));
    }

    [Fact]
    public void TheShippedMamlIsTheOneGeneratedFromTheMarkdown()
    {
        var shipped = File.ReadAllText(Path.Combine(ModuleHost.ModuleFolder, "en-US", "PppoeProxy.PowerShell.dll-Help.xml"));
        Assert.Equal(GeneratedMaml(), shipped);
    }

    /// <summary>Reads only: the build writes the module folder's copy, `./build.ps1 -Task Help` refreshes the committed one.</summary>
    [Fact]
    public void CommittedMamlMatchesTheMarkdown()
    {
        Assert.True(File.Exists(MamlFile) && File.ReadAllText(MamlFile) == GeneratedMaml(),
            "en-US/PppoeProxy.PowerShell.dll-Help.xml is stale: run ./build.ps1 -Task Help (or dotnet run --project tools/PppoeProxy.HelpGen -- help en-US/PppoeProxy.PowerShell.dll-Help.xml)");
    }

    [Fact]
    public void FormatViewsFitIn120Columns()
    {
        foreach (var view in XDocument.Load(FormatFile).Descendants("TableControl"))
        {
            var widths = view.Descendants("TableColumnHeader").Select(h => (int?)h.Element("Width")).ToList();
            // Fixed columns plus one separator each, and at least 10 columns left for an unsized last column.
            int used = widths.Sum(w => w ?? 10) + widths.Count - 1;
            Assert.True(used <= 120, $"a view needs {used} columns");
        }
    }

    [Fact]
    public void AboutTopicCoversTheFletsRecipeAndGhostSessions()
    {
        var about = File.ReadAllText(RepoPaths.Of("en-US", "about_PppoeProxy.help.txt"));
        Assert.Contains("macvlan", about);
        Assert.Contains("FLET'S", about);
        Assert.Contains("Send-PppoePadt", about);
    }

    [Fact]
    public void EveryExportedCmdletIsNamedInAPesterTestThatImportsTheModuleFolder()
    {
        var pester = Directory.GetFiles(RepoPaths.Of("tests", "Pester"), "*.Tests.ps1").Select(File.ReadAllText).ToList();
        var all = string.Join("\n", pester);
        foreach (var cmdlet in ManifestList("CmdletsToExport")) Assert.True(all.Contains(cmdlet), $"no Pester test names {cmdlet}");
        foreach (var file in pester.Where(f => f.Contains("Import-Module")))
            Assert.Contains("out/PppoeProxy/PppoeProxy.psd1", file);
    }

    private static string GeneratedMaml() => MamlGenerator.Generate(Directory.GetFiles(RepoPaths.Of("help"), "*.md"));

    private static string ManifestValue(string key)
    {
        var match = Regex.Match(File.ReadAllText(Manifest), $@"^\s*{key}\s*=\s*'([^']*)'", RegexOptions.Multiline);
        Assert.True(match.Success, $"{key} not in the manifest");
        return match.Groups[1].Value;
    }

    private static List<string> ManifestList(string key)
    {
        var match = Regex.Match(File.ReadAllText(Manifest), $@"^\s*{key}\s*=\s*@\(([^)]*)\)", RegexOptions.Multiline);
        Assert.True(match.Success, $"{key} not in the manifest");
        return Regex.Matches(match.Groups[1].Value, "'([^']*)'").Select(m => m.Groups[1].Value).ToList();
    }
}
