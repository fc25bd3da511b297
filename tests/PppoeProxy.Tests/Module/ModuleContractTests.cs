using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace PppoeProxy.Tests.Module;

/// <summary>The module's contract, checked from the built DLL and the module files, without pwsh.</summary>
public sealed class ModuleContractTests
{
    // From Get-Verb (PowerShell 7.4); the verbs a cmdlet of ours could plausibly use, and more.
    private static readonly HashSet<string> ApprovedVerbs = new(StringComparer.Ordinal)
    {
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New",
        "Open", "Optimize", "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set", "Show",
        "Skip", "Split", "Step", "Switch", "Undo", "Unlock", "Watch", "Connect", "Disconnect", "Read", "Receive", "Send",
        "Write", "Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit",
        "Expand", "Export", "Group", "Import", "Initialize", "Limit", "Merge", "Mount", "Out", "Publish", "Restore", "Save",
        "Sync", "Unpublish", "Update", "Debug", "Measure", "Ping", "Repair", "Resolve", "Test", "Trace", "Approve", "Assert",
        "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install", "Invoke", "Register", "Request",
        "Restart", "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait", "Use", "Block",
        "Grant", "Protect", "Revoke", "Unblock", "Unprotect",
    };

    private const int ConfirmImpactHigh = 3; // System.Management.Automation.ConfirmImpact.High

    private static readonly Lazy<IReadOnlyList<CmdletMetadata>> Cmdlets = new(() => ModuleMetadata.ReadCmdlets(ModuleMetadata.ModuleDll));

    public static string Manifest => RepoPaths.Of("PppoeProxy.psd1");
    public static string FormatFile => RepoPaths.Of("src", "PppoeProxy.PowerShell", "PppoeProxy.Format.ps1xml");
    public static string MamlFile => RepoPaths.Of("en-US", "PppoeProxy.PowerShell.dll-Help.xml");

    [Fact]
    public void TheModuleHasTheCmdletsOfTheIssue()
    {
        var names = Cmdlets.Value.Select(c => c.Name).ToHashSet();
        foreach (var expected in new[] { "Start-PppoeProxyServer", "Start-PppoeProxyClient", "Get-PppoeSession", "Send-PppoePadt",
                     "Get-PppoeFrame", "Export-PppoeFrame", "Find-PppoeServer", "New-PppoeProxyCertificate" })
            Assert.Contains(expected, names);
    }

    [Fact]
    public void EveryCmdletUsesAnApprovedVerb()
    {
        var bad = Cmdlets.Value.Where(c => !ApprovedVerbs.Contains(c.Verb)).Select(c => c.Name).ToList();
        Assert.True(bad.Count == 0, "unapproved verbs: " + string.Join(", ", bad));
    }

    [Fact]
    public void CmdletsToExportEqualsTheCompiledCmdlets()
    {
        var exported = ManifestList("CmdletsToExport");
        Assert.Equal(Cmdlets.Value.Select(c => c.Name).OrderBy(n => n), exported.OrderBy(n => n));
    }

    [Fact]
    public void ManifestVersionEqualsTheBuildVersion()
    {
        var props = XDocument.Load(RepoPaths.Of("Directory.Build.props"));
        var version = props.Descendants("Version").Single().Value;
        Assert.Equal(version, ManifestValue("ModuleVersion"));
    }

    [Fact]
    public void ManifestPathsResolveFromTheRepoAndInThePackage()
    {
        var entries = new[] { ManifestValue("RootModule") }.Concat(ManifestList("FormatsToProcess")).Concat(ManifestList("TypesToProcess")).ToList();
        Assert.Equal(3, entries.Count);
        const string buildPrefix = "src/PppoeProxy.PowerShell/bin/Release/net8.0/";
        foreach (var entry in entries)
        {
            // build.ps1 Package strips this prefix, leaving the file name beside the packaged psd1.
            Assert.StartsWith(buildPrefix, entry);
            Assert.True(File.Exists(RepoPaths.Of(entry.Split('/'))), $"{entry} missing: run dotnet build -c Release");
        }
        Assert.Contains(buildPrefix, File.ReadAllText(RepoPaths.Of("build.ps1")));
    }

    [Fact]
    public void SendPppoePadtAsksFirst()
    {
        var send = Cmdlets.Value.Single(c => c.Name == "Send-PppoePadt");
        Assert.True(send.SupportsShouldProcess);
        Assert.Equal(ConfirmImpactHigh, send.ConfirmImpact);
        Assert.Contains("VlanId", send.Parameters);
    }

    [Fact]
    public void EveryCmdletDeclaresOutputTypesAndEachHasAFormatView()
    {
        var viewed = XDocument.Load(FormatFile).Descendants("TypeName").Select(t => t.Value.Trim()).ToHashSet();
        foreach (var cmdlet in Cmdlets.Value)
        {
            Assert.True(cmdlet.OutputTypes.Count > 0, $"{cmdlet.Name} has no [OutputType]");
            foreach (var type in cmdlet.OutputTypes)
                Assert.True(viewed.Contains(type), $"{cmdlet.Name} emits {type}, which has no view in PppoeProxy.Format.ps1xml");
        }
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
    public void EveryCmdletHasMamlHelpWithTwoExamplesAndEveryParameterDescribed()
    {
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        XNamespace maml = "http://schemas.microsoft.com/maml/2004/10";
        var doc = XDocument.Load(MamlFile);
        foreach (var cmdlet in Cmdlets.Value)
        {
            var help = doc.Descendants(command + "command").SingleOrDefault(c => c.Element(command + "details")?.Element(command + "name")?.Value == cmdlet.Name);
            Assert.True(help is not null, $"no MAML help for {cmdlet.Name}");
            Assert.False(string.IsNullOrWhiteSpace(help!.Element(command + "details")!.Element(maml + "description")?.Value), $"{cmdlet.Name}: no synopsis");
            Assert.False(string.IsNullOrWhiteSpace(help.Element(maml + "description")?.Value), $"{cmdlet.Name}: no description");
            Assert.True(help.Descendants(command + "example").Count() >= 2, $"{cmdlet.Name}: fewer than 2 examples");
            var described = help.Element(command + "parameters")!.Elements(command + "parameter")
                .Where(p => !string.IsNullOrWhiteSpace(p.Element(maml + "description")?.Value))
                .Select(p => p.Element(maml + "name")!.Value).ToHashSet();
            foreach (var parameter in cmdlet.Parameters)
                Assert.True(described.Contains(parameter), $"{cmdlet.Name} -{parameter} has no help description");
        }
    }

    [Fact]
    public void CommittedMamlMatchesTheMarkdown()
    {
        var generated = MamlGenerator.Generate(Directory.GetFiles(RepoPaths.Of("help"), "*.md"));
        if (Environment.GetEnvironmentVariable("PPPOEPROXY_WRITE_HELP") == "1") File.WriteAllText(MamlFile, generated);
        Assert.True(File.Exists(MamlFile) && File.ReadAllText(MamlFile) == generated,
            "en-US/PppoeProxy.PowerShell.dll-Help.xml is stale: run ./build.ps1 -Task Help (or PPPOEPROXY_WRITE_HELP=1 dotnet test --filter CommittedMamlMatchesTheMarkdown)");
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
    public void EveryCmdletIsNamedInAPesterTest()
    {
        var pester = string.Join("\n", Directory.GetFiles(RepoPaths.Of("tests", "Pester"), "*.Tests.ps1").Select(File.ReadAllText));
        foreach (var cmdlet in Cmdlets.Value) Assert.True(pester.Contains(cmdlet.Name), $"no Pester test names {cmdlet.Name}");
        Assert.Contains("PppoeProxy.psd1", pester);
    }

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
