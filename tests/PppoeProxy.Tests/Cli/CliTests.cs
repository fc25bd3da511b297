using System.Text.Json;
using PppoeProxy.Cli;
using Xunit;

namespace PppoeProxy.Tests.Cli;

public class CliTests
{
    private static readonly string Sample = RepoPaths.SampleCapture;

    [Fact]
    public void FrameTableColumnsLineUpUnderTheirHeaders()
    {
        var lines = CliRunner.Run("frames", "--read", Sample, "--count", "2").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0];
        foreach (var row in lines.Skip(1))
        {
            // TIME is HH:mm:ss.ffffff (15 characters): the columns after it start where their headers do.
            var mac = System.Text.RegularExpressions.Regex.Match(row, "([0-9a-f]{2}:){5}[0-9a-f]{2}");
            Assert.Equal(header.IndexOf("SOURCE", StringComparison.Ordinal), mac.Index);
            Assert.Equal(header.IndexOf("INTERFACE", StringComparison.Ordinal), row.IndexOf(" -", StringComparison.Ordinal) + 1);
        }
    }

    [Fact]
    public void SessionsFromSampleFindHealthyAndGhostSessionWithRoles()
    {
        var result = CliRunner.Run("sessions", "--read", Sample, "--json");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var sessions = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, sessions.Count);

        var healthy = sessions.Single(s => s.GetProperty("sessionId").GetInt32() == 0x1a2b);
        Assert.Equal("02:00:5e:10:00:01", healthy.GetProperty("clientMac").GetString());
        Assert.Equal("00:1b:21:aa:00:01", healthy.GetProperty("serverMac").GetString());
        Assert.Equal("internet", healthy.GetProperty("serviceName").GetString());
        Assert.Equal("BRAS01-TOKYO", healthy.GetProperty("acName").GetString());
        Assert.Equal("Established", healthy.GetProperty("state").GetString());
        Assert.Equal("Certain", healthy.GetProperty("roleConfidence").GetString());

        // The ghost: only the AC's echoes. The sender of unanswered echoes is the AC.
        var ghost = sessions.Single(s => s.GetProperty("sessionId").GetInt32() == 0x42);
        Assert.Equal("02:00:5e:10:00:02", ghost.GetProperty("clientMac").GetString());
        Assert.Equal("00:1b:21:aa:00:01", ghost.GetProperty("serverMac").GetString());
        Assert.Equal("Guessed", ghost.GetProperty("roleConfidence").GetString());
        Assert.Equal(4, ghost.GetProperty("frames").GetInt64());

        foreach (var name in new[] { "interface", "sessionId", "clientMac", "serverMac", "vlanIds", "serviceName", "acName", "state", "firstSeen", "lastSeen", "frames", "bytes" })
            Assert.True(healthy.TryGetProperty(name, out _), $"session JSON lacks '{name}'");
    }

    [Fact]
    public void FramesJsonHasTheDocumentedFieldsAndNothingRaw()
    {
        var result = CliRunner.Run("frames", "--read", Sample, "--json", "--count", "2");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(2, result.OutLines.Length);
        var pado = JsonDocument.Parse(result.OutLines[1]).RootElement;
        var names = pado.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal(new HashSet<string> { "time", "interface", "source", "destination", "vlanIds", "stage", "code", "codeValue",
            "sessionId", "payloadLength", "tags", "ppp", "error" }, names);
        Assert.Equal("PADO", pado.GetProperty("code").GetString());
        Assert.Equal(7, pado.GetProperty("codeValue").GetInt32());
        Assert.Equal("discovery", pado.GetProperty("stage").GetString());
        var acName = pado.GetProperty("tags").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "AC-Name");
        Assert.Equal(0x0102, acName.GetProperty("type").GetInt32());
        Assert.Equal("BRAS01-TOKYO", acName.GetProperty("value").GetString());
        var cookie = pado.GetProperty("tags").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "AC-Cookie");
        Assert.Equal("000102030405060708090a0b0c0d0e0f", cookie.GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Null, pado.GetProperty("ppp").ValueKind);
        Assert.Equal(JsonValueKind.Null, pado.GetProperty("error").ValueKind);
        Assert.True(DateTimeOffset.TryParse(pado.GetProperty("time").GetString(), out _));
    }

    [Fact]
    public void FramesJsonDescribesPppLayer()
    {
        var result = CliRunner.Run("frames", "--read", Sample, "--json");
        var pap = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement)
            .Single(f => f.GetProperty("ppp").ValueKind == JsonValueKind.Object && f.GetProperty("ppp").GetProperty("protocolName").GetString() == "PAP"
                && f.GetProperty("ppp").GetProperty("code").GetInt32() == 1);
        var ppp = pap.GetProperty("ppp");
        Assert.Equal(0xc023, ppp.GetProperty("protocol").GetInt32());
        Assert.Equal("Authenticate-Request", ppp.GetProperty("codeName").GetString());
        Assert.Equal(1, ppp.GetProperty("identifier").GetInt32());
        Assert.Equal("session", pap.GetProperty("stage").GetString());
        Assert.Equal("Session", pap.GetProperty("code").GetString());
    }

    [Fact]
    public void FramesWriteProducesAFileThatReadsBackTheSame()
    {
        var copy = Path.Combine(Path.GetTempPath(), $"ppx-{Guid.NewGuid():N}.pcap");
        try
        {
            var first = CliRunner.Run("frames", "--read", Sample, "--write", copy, "--json");
            var second = CliRunner.Run("frames", "--read", copy, "--json");
            Assert.Equal(ExitCodes.Success, second.ExitCode);
            Assert.Equal(first.OutLines, second.OutLines);
            Assert.Equal(28, second.OutLines.Length);
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void TableOutputIsReadable()
    {
        var result = CliRunner.Run("sessions", "--read", Sample);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("CLIENT MAC", result.OutLines[0]);
        Assert.Contains(result.OutLines, l => l.Contains("6699") && l.Contains("BRAS01-TOKYO") && l.Contains("Certain"));
        var frames = CliRunner.Run("frames", "--read", Sample, "--count", "2");
        Assert.Contains(frames.OutLines, l => l.Contains("PADO") && l.Contains("AC-Name=BRAS01-TOKYO") && l.Contains("Service-Name=internet"));
    }

    [Theory]
    [InlineData("padt", "-i", "lo", "-s", "0", "--client-mac", "02:00:00:00:00:01", "--server-mac", "02:00:00:00:00:02")]
    [InlineData("padt", "-i", "lo", "-s", "65535", "--client-mac", "02:00:00:00:00:01", "--server-mac", "02:00:00:00:00:02")]
    [InlineData("padt", "-i", "lo", "-s", "7", "--client-mac", "not-a-mac", "--server-mac", "02:00:00:00:00:02")]
    [InlineData("padt", "-i", "lo", "-s", "7", "--client-mac", "02:00:00:00:00:01", "--server-mac", "02:00:00:00:00:02", "--vlan", "5000")]
    [InlineData("padt", "-i", "lo", "-s", "7", "--client-mac", "02:00:00:00:00:01", "--server-mac", "02:00:00:00:00:02", "--vlan", "1,2,3")]
    [InlineData("frames")]
    [InlineData("frames", "--interface", "lo", "--read", "x.pcap")]
    [InlineData("frames", "--read", "x.pcap", "--count", "0")]
    [InlineData("sessions", "--read", "x.pcap", "--timeout", "-1")]
    [InlineData("discover")]
    [InlineData("no-such-command")]
    [InlineData("sessions", "--bogus-flag")]
    public void UsageErrorsExitTwoWithOneLineAndNoStackTrace(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.StartsWith("pppoeproxy: ", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void MissingFileIsARuntimeErrorOnOneLine()
    {
        var result = CliRunner.Run("sessions", "--read", "/nonexistent/dir/x.pcap");
        Assert.Equal(ExitCodes.RuntimeError, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("x.pcap", lines[0]);
    }

    [Fact]
    public void GarbageFileIsABadCaptureFileOnOneLine()
    {
        var junk = Path.Combine(Path.GetTempPath(), $"ppx-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(junk, "this is not a capture file at all"u8.ToArray());
        try
        {
            var result = CliRunner.Run("frames", "--read", junk);
            Assert.Equal(ExitCodes.RuntimeError, result.ExitCode);
            Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", result.Error);
        }
        finally { File.Delete(junk); }
    }

    [Fact]
    public void MissingInterfaceIsARuntimeErrorNamingIt()
    {
        var result = CliRunner.Run("sessions", "--interface", "nosuchif9", "--timeout", "1");
        Assert.Equal(ExitCodes.RuntimeError, result.ExitCode);
        Assert.Contains("nosuchif9", result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void PadtWithoutTerminalOrYesRefusesBeforeOpeningAnything()
    {
        // The interface does not exist: if the refusal came after opening it, the error would say so.
        var result = CliRunner.Run("", interactive: false, "padt", "-i", "nosuchif9", "-s", "66",
            "--client-mac", "02:00:00:00:00:01", "--server-mac", "02:00:00:00:00:02");
        Assert.Equal(ExitCodes.RuntimeError, result.ExitCode);
        Assert.Contains("refusing to send", result.Error);
        Assert.Contains("would send", result.Out);
        Assert.DoesNotContain("does not exist", result.Error);
    }

    [Fact]
    public void PadtAnsweredNoAtTheTerminalSendsNothing()
    {
        var result = CliRunner.Run("n\n", interactive: true, "padt", "-i", "nosuchif9", "-s", "66",
            "--client-mac", "02:00:00:00:00:01", "--server-mac", "02:00:00:00:00:02", "--lcp-terminate");
        Assert.Equal(ExitCodes.RuntimeError, result.ExitCode);
        Assert.Contains("not confirmed", result.Error);
        Assert.Contains("[y/N]", result.Out);
        // LCP Terminate-Request first, then the PADT.
        var planned = result.OutLines.Where(l => l.Contains("would send")).ToList();
        Assert.Equal(2, planned.Count);
        Assert.Contains("LCP Terminate-Request", planned[0]);
        Assert.Contains("PADT", planned[1]);
    }
}
