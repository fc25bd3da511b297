using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Rewrite mode is for hosts where the server cannot be promiscuous or own foreign MACs (a plain
/// macvlan): the AC must only ever see the macvlan's MAC, like behind rp-pppoe's pppoe-relay.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class TunnelRewriteTests(ITestOutputHelper output)
{
    [RootFact]
    public void RewriteModeOverAMacvlanShowsTheAcOnlyTheMacvlanMac()
    {
        using var t = new TunnelLab();
        var macvlan = t.Lab.Name + "-m";
        t.OwnLink(macvlan);
        Ip("link", "add", macvlan, "link", t.Lab.ServerSideIf, "type", "macvlan", "mode", "bridge");
        // Like the lab's veths: nothing but PPPoE may leave it (no IPv6 autoconf chatter).
        NetnsLab.Run("sysctl", new[] { "-qw", $"net.ipv6.conf.{macvlan}.disable_ipv6=1" }, TimeSpan.FromSeconds(5));
        Ip("link", "set", macvlan, "up");
        var macvlanMac = File.ReadAllText($"/sys/class/net/{macvlan}/address").Trim();

        var server = t.StartServer(Wire.Tls, iface: macvlan, extra: new[] { "--mac-mode", "rewrite" });
        Assert.Contains("in rewrite mode", server.WaitForLog("server listening on", TimeSpan.FromSeconds(5)));
        t.ConnectClient();
        var atAc = t.CaptureAtAc();

        // lab.sh finds the session id in the AC's log by peer MAC: here that is the macvlan's.
        var s = t.Lab.Dial(acPeerMac: macvlanMac);
        output.WriteLine($"{s}, macvlan {macvlanMac}");
        Assert.NotEqual(0, s.SessionId);
        Assert.Equal(t.Lab.MacOf(t.Lab.AcNs, t.Lab.AcIf), s.AcMac);
        server.WaitForLog($"session up: id {s.SessionId} client {s.ClientMac}", TimeSpan.FromSeconds(5));
        // The AC's own record of its peer: the macvlan, not the home client.
        var alive = NetnsLab.Run("/bin/bash", new[] { NetnsLab.LabScript, "sessions", t.Lab.Name }, TimeSpan.FromSeconds(10)).Stdout;
        Assert.Contains($" {s.SessionId} {macvlanMac}", alive);
        Thread.Sleep(1500); // a couple of echo round trips on the capture too

        var frames = atAc.Frames();
        var allowed = new[] { s.AcMac, macvlanMac, "ff:ff:ff:ff:ff:ff" };
        var foreign = frames.Where(f => !allowed.Contains(f.Src) || !allowed.Contains(f.Dst)).ToList();
        Assert.True(foreign.Count == 0, "the AC saw other MACs:\n" + string.Join('\n', foreign.Select(f => f.Line)));
        Assert.Contains(frames, f => f.Src == macvlanMac && f.Line.Contains("PADI"));
        Assert.Contains(frames, f => f.Src == macvlanMac && f.Line.Contains($"[ses 0x{s.SessionId:x}]"));
    }

    private static void Ip(params string[] args)
    {
        var r = NetnsLab.Run("ip", args, TimeSpan.FromSeconds(5));
        Assert.True(r.Ok, $"ip {string.Join(' ', args)}: {r}");
    }
}
