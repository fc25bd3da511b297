using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// A real rp-pppoe client dials a real pppoe-server through our client and server: discovery and
/// LCP must cross the tunnel in every wire mode, and TLS must actually hide the PPPoE bytes.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class TunnelDialTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(10);

    [RootTheory]
    [InlineData(Wire.Tls)]
    [InlineData(Wire.Insecure)]
    public void DiscoveryAndLcpCrossTheTunnel(Wire wire)
    {
        using var t = new TunnelLab();
        var server = t.StartServer(wire);
        var client = t.ConnectClient(wire);
        using var atAc = t.CaptureAtAc();

        var s = t.Lab.Dial();
        output.WriteLine($"{wire}: {s}");
        Assert.NotEqual(0, s.SessionId);
        Assert.Equal(t.Lab.MacOf(t.Lab.AcNs, t.Lab.AcIf), s.AcMac);
        Assert.Equal(t.Lab.MacOf(t.Lab.HomeNs, t.Lab.HomeIf), s.ClientMac);
        Assert.True(t.Lab.AcSessionProcessAlive(s.SessionId), t.Diagnostics());
        server.WaitForLog($"session up: id {s.SessionId} client {s.ClientMac} AC {s.AcMac}", LogWait);
        // Transparent mode: the AC sees the home client's own MAC (the frames really came from it).
        Assert.Contains(atAc.Frames(), f => f.Src == s.ClientMac && f.Line.Contains("PADI"));
        if (wire == Wire.Tls)
        {
            Assert.Contains($"certificate {t.ClientId.Fingerprint}", server.WaitForLog("tunnel connected:", LogWait));
            Assert.Contains($"server certificate {t.ServerId.Fingerprint}", client.WaitForLog("tunnel connected to", LogWait));
        }
        else
        {
            Assert.True(server.HasLog("NOT encrypted"), server.ToString());
        }
    }

    [RootFact]
    public void GoCompatibleFlagsDialOverTheLegacyProtocolAndWarn()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Legacy);
        var client = t.ConnectClient(Wire.Legacy);

        var s = t.Lab.Dial();
        Assert.NotEqual(0, s.SessionId);
        Assert.Equal(t.Lab.MacOf(t.Lab.AcNs, t.Lab.AcIf), s.AcMac);
        server.WaitForLog($"session up: id {s.SessionId}", LogWait);
        Assert.Contains("legacy Go protocol", server.WaitForLog("server listening on", LogWait));
        foreach (var p in new[] { server, client })
            Assert.True(p.HasLog("Go-compatible legacy mode: the tunnel is NOT encrypted"), p.ToString());
    }

    [RootTheory]
    [InlineData(Wire.Tls, false)]
    [InlineData(Wire.Insecure, true)] // the control: proves the search would find it
    public void TlsHidesTheAcNameOnLoopback(Wire wire, bool expectVisible)
    {
        using var t = new TunnelLab();
        t.StartServer(wire);
        t.ConnectClient(wire);
        var loopback = t.Capture(null, "lo", $"tcp port {t.Port}");

        var s = t.Lab.Dial();
        Assert.NotEqual(0, s.SessionId);
        Thread.Sleep(500); // let the last frames of the dial reach the capture
        var bytes = loopback.Bytes();
        output.WriteLine($"{wire}: {bytes.Length} pcap bytes on lo port {t.Port}");
        Assert.True(bytes.Length > 1000, "the capture saw no tunnel traffic at all");
        var acName = System.Text.Encoding.ASCII.GetBytes($"LabAC-{t.Lab.Name}");
        Assert.Equal(expectVisible, bytes.AsSpan().IndexOf(acName) >= 0);
    }

    [RootFact]
    public void DisposeLeavesNoProcessNamespaceLinkOrFileBehind()
    {
        var t = new TunnelLab();
        (IReadOnlyList<int> Pids, IReadOnlyList<string> Names) footprint;
        try
        {
            t.StartServer();
            t.ConnectClient();
            var other = t.AddLab();
            t.ConnectClient(lab: other, id: t.OtherClientId, name: "client B");
            t.Lab.Dial();
            t.Capture(t.Lab.AcNs, t.Lab.AcIf, "pppoes");
            footprint = t.Footprint();
            Assert.True(footprint.Pids.Count >= 5, "server, 2 clients, AC and home processes expected");
        }
        finally
        {
            t.Dispose(); // deliberately with everything still running
        }
        Assert.DoesNotContain(footprint.Pids, NetnsLab.ProcessAlive);
        var ns = NetnsLab.Run("ip", new[] { "netns", "list" }, TimeSpan.FromSeconds(5)).Stdout;
        var links = NetnsLab.Run("ip", new[] { "-o", "link" }, TimeSpan.FromSeconds(5)).Stdout;
        foreach (var name in footprint.Names)
        {
            Assert.DoesNotContain(name, ns);
            Assert.DoesNotContain(" " + name, links);
        }
        Assert.False(Directory.Exists(t.Dir), "temp dir (certs, pcaps) left behind");
        Assert.False(Directory.Exists(t.Lab.StateDir), "lab state dir left behind");
    }
}
