using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Capture;
using PppoeProxy.PowerShell.Jobs;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.PowerShell.Support;
using PppoeProxy.HelpGen;
using Xunit;

namespace PppoeProxy.Tests.PowerShell;

/// <summary>The logic the cmdlets delegate to, tested without PowerShell.</summary>
public sealed class ModuleLogicTests
{
    private static readonly MacAddress Client = MacAddress.Read(new byte[] { 2, 0, 0, 0, 0, 1 });
    private static readonly MacAddress Ac = MacAddress.Read(new byte[] { 2, 0, 0, 0, 0, 2 });

    [Fact]
    public void BoundedOutputDropsTheOldestAndCountsThem()
    {
        var list = new List<int>();
        var writer = new DropOldestWriter<int>(list, 3);
        for (int i = 1; i <= 5; i++) writer.Add(i);
        Assert.Equal(new[] { 3, 4, 5 }, list);
        Assert.Equal(2, writer.Dropped);
        list.Clear(); // Receive-Job drained it
        writer.Add(6);
        Assert.Equal(new[] { 6 }, list);
        Assert.Equal(2, writer.Dropped);
    }

    [Fact]
    public void BoundedOutputStaysBoundedUnderConcurrentWriters()
    {
        var list = new List<int>();
        var writer = new DropOldestWriter<int>(list, 100);
        Parallel.For(0, 10_000, i => writer.Add(i));
        Assert.Equal(100, list.Count);
        Assert.Equal(9_900, writer.Dropped);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropOldestWriter<int>(list, 0));
    }

    [Fact]
    public void FrameFilterKeepsControlFramesAndDataOnlyWhenAsked()
    {
        var padt = PadtForge.Padt(Client, Ac, 0x1234).ToBytes();
        var lcp = PadtForge.LcpTerminateRequest(Client, Ac, 0x1234, 7).ToBytes();
        var ipv4 = PppoeFrame.Session(Client, Ac, 0x1234, new byte[] { 0x00, 0x21, 0x45, 0, 0, 20 }).ToBytes();
        var controlOnly = new TapFrameFilter(includeData: false);
        var everything = new TapFrameFilter(includeData: true);
        Assert.True(controlOnly.Accepts(FrameView.Parse(padt)));
        Assert.True(controlOnly.Accepts(FrameView.Parse(lcp)));
        Assert.False(controlOnly.Accepts(FrameView.Parse(ipv4)));
        Assert.True(everything.Accepts(FrameView.Parse(ipv4)));
    }

    [Theory]
    [InlineData(CaptureErrorKind.PermissionDenied, "CapturePermissionDenied", "PermissionDenied")]
    [InlineData(CaptureErrorKind.InterfaceNotFound, "InterfaceNotFound", "ObjectNotFound")]
    [InlineData(CaptureErrorKind.InterfaceDown, "InterfaceDown", "ResourceUnavailable")]
    [InlineData(CaptureErrorKind.LibraryMissing, "LibpcapMissing", "NotInstalled")]
    [InlineData(CaptureErrorKind.BadFile, "BadCaptureFile", "InvalidData")]
    [InlineData(CaptureErrorKind.FileNotFound, "CaptureFileNotFound", "ObjectNotFound")]
    [InlineData(CaptureErrorKind.Other, "CaptureFailed", "NotSpecified")]
    public void CaptureErrorsMapToIdsAndCategories(CaptureErrorKind kind, string id, string category)
    {
        Assert.Equal(new ErrorDescriptor(id, category), ErrorMapping.ForCaptureKind(kind));
        Assert.Equal(new ErrorDescriptor(id, category), ErrorMapping.ForException(new CaptureException(kind, "x"), "Fallback"));
    }

    [Fact]
    public void OtherErrorsMapToo()
    {
        Assert.Equal("ListenAddressInUse", ErrorMapping.ForException(
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.AddressAlreadyInUse), "X").ErrorId);
        Assert.Equal(new ErrorDescriptor("Fallback", "NotSpecified"), ErrorMapping.ForException(new InvalidOperationException(), "Fallback"));
        // Every category we name must be an ErrorCategory member (names copied from System.Management.Automation).
        var categories = new[] { "NotSpecified", "InvalidArgument", "InvalidData", "ObjectNotFound", "PermissionDenied",
            "ResourceUnavailable", "NotInstalled", "ConnectionError", "WriteError" };
        foreach (CaptureErrorKind kind in Enum.GetValues<CaptureErrorKind>())
            Assert.Contains(ErrorMapping.ForCaptureKind(kind).Category, categories);
    }

    [Theory]
    [InlineData("02:00:00:aa:bb:cc", true)]
    [InlineData("02-00-00-AA-BB-CC", true)]
    [InlineData("02:00:00:aa:bb", false)]
    [InlineData("zz:00:00:aa:bb:cc", false)]
    [InlineData("ff:ff:ff:ff:ff:ff", false)]
    [InlineData("01:00:5e:00:00:01", false)]
    public void MacValidation(string text, bool ok) => Assert.Equal(ok, ParameterChecks.CheckMac(text) is null);

    [Theory]
    [InlineData("192.0.2.0/24", true)]
    [InlineData("192.0.2.0/24,2001:db8::/32", true)]
    [InlineData("192.0.2.0/33", false)]
    [InlineData("not-a-cidr", false)]
    public void CidrValidation(string text, bool ok) => Assert.Equal(ok, ParameterChecks.CheckCidrList(text) is null);

    [Theory]
    [InlineData("proxy.example.net:4789", true)]
    [InlineData("127.0.0.1:4789", true)]
    [InlineData("[::1]:4789", true)]
    [InlineData("::1:4789", false)]
    [InlineData("host", false)]
    [InlineData("host:0", false)]
    [InlineData("host:70000", false)]
    public void HostPortValidation(string text, bool ok) => Assert.Equal(ok, ParameterChecks.CheckEndpoint(text) is null);

    [Theory]
    [InlineData("0.0.0.0:4789", true)]
    [InlineData("*:4789", true)]
    [InlineData("[::]:4789", true)]
    [InlineData("example.net:4789", false)]
    public void ListenValidation(string text, bool ok) => Assert.Equal(ok, ParameterChecks.CheckListenEndpoint(text) is null);

    [Fact]
    public void ValidationMessagesSayWhatIsExpected()
    {
        Assert.Contains("02:00:00:aa:bb:cc", ParameterChecks.CheckMac("nope"));
        Assert.Contains("HOST:PORT", ParameterChecks.CheckEndpoint("nope"));
        Assert.Contains("CIDR", ParameterChecks.CheckCidrList("nope"));
        Assert.Null(ParameterChecks.CheckFingerprint(new string('a', 64)));
        Assert.NotNull(ParameterChecks.CheckFingerprint("abc"));
    }

    [Fact]
    public void InterfaceCompletionFiltersByPrefix()
    {
        var names = new[] { "lo", "eth1", "eth0", "veth-ac" };
        Assert.Equal(new[] { "eth0", "eth1" }, InterfaceNames.Complete("et", names));
        Assert.Equal(new[] { "eth0", "eth1", "lo", "veth-ac" }, InterfaceNames.Complete("", names));
        Assert.Equal(new[] { "lo" }, InterfaceNames.Complete("'l", names));
        // The real list comes from /sys/class/net, which always has the loopback.
        Assert.Contains("lo", InterfaceNames.Complete("l"));
    }

    [Fact]
    public void LogEventsGoToWarningAndVerbose()
    {
        var seen = new List<(LogStream, string)>();
        ILogger logger = new CallbackLogger((stream, text) => seen.Add((stream, text)));
        logger.LogWarning("tunnel {Name} dropped", "home");
        logger.LogInformation("listening");
        logger.LogError(new IOException("boom"), "send failed");
        logger.LogTrace("noise");
        Assert.Equal(new[] { (LogStream.Warning, "tunnel home dropped"), (LogStream.Verbose, "listening"),
            (LogStream.Warning, "error: send failed: boom") }, seen);
    }

    [Fact]
    public void MamlGeneratorReadsMarkdownSections()
    {
        const string markdown = "# Get-Thing\n\n## SYNOPSIS\nGets things.\n\n## DESCRIPTION\nLong\ntext.\n\n## EXAMPLES\n\n### Example 1: One\n```powershell\nGet-Thing\n```\n\nFirst.\n\n### Example 2: Two\n```powershell\nGet-Thing -Name x\n# not a heading\n```\n\nSecond.\n\n## PARAMETERS\n\n### -Name\nThe name.\n\n```yaml\nType: String\nParameter Sets: (All)\nAliases: n\n\nRequired: True\nPosition: 0\nDefault value: None\nAccept pipeline input: True (ByPropertyName)\nAccept wildcard characters: False\n```\n\n## OUTPUTS\n\n### Thing\nA thing.\n";
        var help = MamlGenerator.ParseMarkdown(markdown);
        Assert.Equal("Get-Thing", help.Name);
        Assert.Equal("Gets things.", help.Synopsis);
        Assert.Equal("Long text.", help.Description);
        Assert.Equal(2, help.Examples.Count);
        Assert.Equal("Get-Thing -Name x\n# not a heading", help.Examples[1].Code);
        var name = Assert.Single(help.Parameters);
        Assert.True(name.Required);
        Assert.Equal("0", name.Position);
        Assert.Equal("n", name.Aliases);
        Assert.Equal("True (ByPropertyName)", name.PipelineInput);
        Assert.Equal(("Thing", "A thing."), Assert.Single(help.Outputs));

        var file = Path.Combine(Path.GetTempPath(), $"maml-{Guid.NewGuid():N}.md");
        File.WriteAllText(file, markdown);
        try
        {
            var maml = MamlGenerator.Generate(new[] { file });
            Assert.Contains("<command:name>Get-Thing</command:name>", maml);
            Assert.Contains("<dev:code>Get-Thing -Name x\n# not a heading</dev:code>", maml);
            Assert.Contains("pipelineInput=\"True (ByPropertyName)\"", maml);
        }
        finally { File.Delete(file); }
    }
}
