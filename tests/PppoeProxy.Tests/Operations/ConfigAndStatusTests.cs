using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Cli;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Operations;

/// <summary>Running as a service: config files, the status socket, the systemd units.</summary>
public class ConfigAndStatusTests
{
    private static string[] Expand(params string[] args) =>
        ConfigFile.Expand(args, CliApp.BuildRoot(new Console2(TextWriter.Null, TextWriter.Null, TextReader.Null, false)));

    private static string TempFile(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ConfigSettingsBecomeFlagsAndTheCommandLineWins()
    {
        var path = TempFile("# comment\ninterface = wan0\nlisten = 127.0.0.1:4789   # trailing comment\ninsecure = true\ngrace = 12\n");
        try
        {
            var args = Expand("server", "--config", path, "--listen", "[::1]:5000");
            Assert.Equal(new[] { "server", "--interface", "wan0", "--insecure", "--grace", "12", "--listen", "[::1]:5000" }, args);
            var parsed = CliApp.BuildRoot(new Console2(TextWriter.Null, TextWriter.Null, TextReader.Null, false)).Parse(args);
            Assert.Empty(parsed.Errors);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ABadConfigLineIsAUsageErrorNamingFileAndLine()
    {
        var path = TempFile("interface = wan0\n\nlisten 127.0.0.1:4789\n");
        try
        {
            var result = CliRunner.Run("server", "--config", path);
            Assert.Equal(ExitCodes.UsageError, result.ExitCode);
            Assert.Equal($"pppoeproxy: {path}:3: expected 'name = value'", result.Error.Trim());
        }
        finally { File.Delete(path); }
        var unknown = TempFile("interface = wan0\nport = 9\n");
        try
        {
            var result = CliRunner.Run("client", "--config", unknown);
            Assert.Equal(ExitCodes.UsageError, result.ExitCode);
            Assert.Contains($"{unknown}:2: unknown setting 'port' for 'client'", result.Error);
        }
        finally { File.Delete(unknown); }
        Assert.Equal(ExitCodes.UsageError, CliRunner.Run("server", "--config", "/nonexistent.conf").ExitCode);
    }

    [Theory]
    [InlineData("server", "deploy/config/server-flets.conf")]
    [InlineData("client", "deploy/config/client-office.conf")]
    public void TheShippedExampleConfigsParse(string command, string file)
    {
        var args = Expand(command, "--config", RepoPaths.Of(file.Split('/')));
        var parsed = CliApp.BuildRoot(new Console2(TextWriter.Null, TextWriter.Null, TextReader.Null, false)).Parse(args);
        Assert.Empty(parsed.Errors);
        Assert.Contains("--trust", args);

        // The commented-out settings are offered to be uncommented: they must parse too.
        var lines = File.ReadAllLines(RepoPaths.Of(file.Split('/')))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"^# ([a-z-]+ = \S+)$", "$1")).ToArray();
        var uncommented = TempFile(string.Join('\n', lines));
        try
        {
            var all = Expand(command, "--config", uncommented);
            Assert.Empty(CliApp.BuildRoot(new Console2(TextWriter.Null, TextWriter.Null, TextReader.Null, false)).Parse(all).Errors);
        }
        finally { File.Delete(uncommented); }
    }

    [Theory]
    [InlineData("pppoeproxy-server@.service", "server")]
    [InlineData("pppoeproxy-client@.service", "client")]
    public void TheSystemdUnitsUseCapabilitiesNotRoot(string unit, string role)
    {
        var text = File.ReadAllText(RepoPaths.Of("deploy", "systemd", unit));
        Assert.Contains($"ExecStart=/usr/local/bin/pppoeproxy {role} --config /etc/pppoeproxy/{role}-%i.conf", text);
        Assert.Contains("AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN", text);
        Assert.Contains("CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN", text);
        Assert.Contains("DynamicUser=yes", text);
        Assert.Contains("NoNewPrivileges=yes", text);
        Assert.Contains("ProtectSystem=strict", text);
        Assert.DoesNotContain("User=root", text);
    }

    [Fact]
    public void TheGuardUnitRunsTheWatcherOnItsInstanceInterfaceWithCapabilitiesNotRoot()
    {
        var text = File.ReadAllText(RepoPaths.Of("deploy", "systemd", "pppoeproxy-guard@.service"));
        Assert.Contains("ExecStart=/usr/local/bin/pppoeproxy guard --interface %i --status-socket /run/pppoeproxy/guard-%i.sock $GUARD_ARGS", text);
        Assert.Contains("EnvironmentFile=-/etc/pppoeproxy/guard-%i.env", text);
        Assert.Contains("AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN", text);
        Assert.Contains("CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN", text);
        Assert.Contains("DynamicUser=yes", text);
        Assert.Contains("NoNewPrivileges=yes", text);
        Assert.DoesNotContain("User=root", text);
    }

    [Theory]
    [InlineData("pppoeproxy-server@.service")]
    [InlineData("pppoeproxy-client@.service")]
    [InlineData("pppoeproxy-guard@.service")]
    public void TheSystemdUnitsWaitForReadyAndWatchTheProxy(string unit)
    {
        var lines = File.ReadAllLines(RepoPaths.Of("deploy", "systemd", unit)).Select(l => l.Trim()).ToList();
        Assert.Contains("Type=notify", lines);
        Assert.Contains("NotifyAccess=main", lines);
        var watchdog = Assert.Single(lines, l => l.StartsWith("WatchdogSec="));
        // The proxy's loop beats every 250 ms and sends at most every half interval: seconds are plenty, 0 would turn it off.
        Assert.InRange(int.Parse(watchdog["WatchdogSec=".Length..]), 5, 120);
        Assert.Contains("Restart=on-failure", lines);
        Assert.Contains(lines, l => l.StartsWith("RestrictAddressFamilies=") && l.Contains("AF_UNIX")); // the notify socket
    }

    [SystemdAnalyzeTheory]
    [InlineData("pppoeproxy-server@.service")]
    [InlineData("pppoeproxy-client@.service")]
    [InlineData("pppoeproxy-guard@.service")]
    public void TheSystemdUnitsPassSystemdAnalyzeVerify(string unit)
    {
        var text = File.ReadAllText(RepoPaths.Of("deploy", "systemd", unit));
        // systemd's own checker, with the binary path pointed at something that exists here.
        var dir = Directory.CreateTempSubdirectory("ppx-unit").FullName;
        try
        {
            var instance = Path.Combine(dir, unit.Replace("@.", "@test."));
            File.WriteAllText(instance, text.Replace("/usr/local/bin/pppoeproxy", "/bin/true"));
            var verify = NetnsLab.Run(SystemdAnalyzeTheoryAttribute.Tool, new[] { "verify", instance }, TimeSpan.FromSeconds(30));
            Assert.True(verify.ExitCode == 0 && verify.Stderr.Trim().Length == 0, verify.ToString());
        }
        finally { Directory.Delete(dir, true); }
    }

    [RootFact]
    public void StatusShowsARunningServerWithoutStoppingIt()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"ppx-{Guid.NewGuid():N}.sock");
        using var server = new ProxyServer(new ServerOptions { Interface = "lo", Listen = new IPEndPoint(IPAddress.Loopback, 0) }, NullLogger.Instance);
        server.Start();
        using (var endpoint = StatusEndpoint.TryOpen(socket, server.Status, NullLogger.Instance))
        {
            Assert.NotNull(endpoint);
            var json = CliRunner.Run("status", "--socket", socket, "--json");
            Assert.Equal(ExitCodes.Success, json.ExitCode);
            var status = JsonDocument.Parse(json.Out).RootElement;
            Assert.Equal("server", status.GetProperty("role").GetString());
            Assert.Equal("lo", status.GetProperty("interface").GetString());
            Assert.Equal(server.LocalEndpoint!.ToString(), status.GetProperty("endpoint").GetString());
            Assert.Equal(JsonValueKind.Array, status.GetProperty("sessions").ValueKind);
            Assert.Equal(JsonValueKind.Object, status.GetProperty("counters").GetProperty("drops").ValueKind);

            var readable = CliRunner.Run("status", "--socket", socket);
            Assert.Equal(ExitCodes.Success, readable.ExitCode);
            Assert.StartsWith($"server on lo, {server.LocalEndpoint}", readable.Out);
        }
        Assert.False(File.Exists(socket), "the socket file should go with the endpoint");
        var gone = CliRunner.Run("status", "--socket", socket);
        Assert.Equal(ExitCodes.RuntimeError, gone.ExitCode);
        Assert.Single(gone.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
