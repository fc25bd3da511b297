using System.Text.Json;
using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// An end's status counts every frame that crossed any of its tunnels, closed ones included; and
/// an end whose interface disappears stops (gracefully) and exits 1 with one line, instead of
/// running on deaf.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class TunnelEndTotalsTests
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(10);

    [RootFact]
    public void StatusCountersKeepTheFramesOfAClosedTunnel()
    {
        using var t = new TunnelLab();
        var socket = Path.Combine(t.Dir, "server.sock");
        var server = t.StartServer(Wire.Insecure, extra: new[] { "--status-socket", socket });
        var client = t.ConnectClient(Wire.Insecure);
        var s = t.Lab.Dial();
        Assert.NotEqual(0, s.SessionId);

        client.Kill();
        server.WaitForLog("tunnel disconnected", LogWait);
        var r = CliRunner.Run("status", "--socket", socket, "--json");
        Assert.True(r.ExitCode == 0, r.Error);
        var counters = JsonDocument.Parse(r.OutLines[0]).RootElement.GetProperty("counters");
        // PADI, PADR and LCP went AC-ward through the tunnel, PADO, PADS and LCP came back.
        Assert.True(counters.GetProperty("framesFromTunnel").GetInt64() >= 3, r.Out);
        Assert.True(counters.GetProperty("framesToTunnel").GetInt64() >= 3, r.Out);
        Assert.Empty(JsonDocument.Parse(r.OutLines[0]).RootElement.GetProperty("peers").EnumerateArray().Where(p => p.GetProperty("connected").GetBoolean()));
    }

    [RootTheory]
    [InlineData("server")]
    [InlineData("client")]
    public void DeletingTheInterfaceUnderARunningEndExits1WithOneLine(string role)
    {
        using var t = new TunnelLab();
        var name = NetnsLab.LabPrefix + "d" + Guid.NewGuid().ToString("N")[..8]; // under the lab prefix, as every lab link
        t.OwnLink(name);
        Assert.True(NetnsLab.Run("ip", new[] { "link", "add", name, "type", "veth", "peer", "name", name + "p" }, LogWait).Ok);
        foreach (var end in new[] { name, name + "p" })
            Assert.True(NetnsLab.Run("ip", new[] { "link", "set", end, "up" }, LogWait).Ok);

        var server = t.StartServer(Wire.Insecure, iface: role == "server" ? name : null, extra: new[] { "--status-socket", "none" });
        var client = t.Run("client", "client", "--interface", role == "client" ? name : t.Lab.ClientSideIf, "--server", t.Endpoint,
            "--insecure", "--status-socket", "none");
        client.WaitForLog("tunnel connected to", LogWait);
        var victim = role == "server" ? server : client;

        Assert.True(NetnsLab.Run("ip", new[] { "link", "del", name }, LogWait).Ok);
        var exited = NetnsLab.WaitUntil(() => victim.HasExited, TimeSpan.FromSeconds(8));
        Assert.True(exited, "the end kept running without its interface\n" + victim);
        victim.Stop(); // collects the last lines
        Assert.Equal(1, victim.ExitCode);
        var ours = victim.StderrLines.Where(l => l.StartsWith("pppoeproxy: ")).ToList();
        // Deleting takes the link down first; the engine waits for it to vanish and says so.
        Assert.Equal($"pppoeproxy: interface '{name}' went away while the proxy {role} ran", Assert.Single(ours));
        Assert.Equal(ours[0], victim.StderrLines[^1]);
        Assert.DoesNotContain(victim.StderrLines, l => l.Contains("   at "));
    }
}
