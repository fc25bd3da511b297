using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Issue 12, defects 7 and 8 with real peers: a second LAN that speaks the victim's MAC first does not
/// keep the victim from dialling; once the victim's session is up the squatter is refused (and named
/// in the log), and frames from MACs no client can have (the AC's, multicast, zero) never reach the AC.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class MacSquattingTests(ITestOutputHelper output)
{
    [RootFact]
    public void ASquatterCannotTakeTheVictimsMacOrSendAsTheAc()
    {
        using var t = new TunnelLab();
        var squatterLan = t.AddLab();
        var server = t.StartServer();
        t.ConnectClient(name: "victim client");
        t.ConnectClient(lab: squatterLan, id: t.OtherClientId, name: "squatter client");
        string victimMac = t.Lab.MacOf(t.Lab.HomeNs, t.Lab.HomeIf), acMac = t.Lab.MacOf(t.Lab.AcNs, t.Lab.AcIf);

        // The squatter speaks first from the victim's MAC (old code: it owned the MAC from then on).
        using (var first = t.CaptureAtAc())
        {
            Forge(squatterLan, Padi(victimMac));
            Thread.Sleep(1000);
            Assert.True(first.Frames().Any(f => f.Src == victimMac && f.Line.Contains("PADI")),
                "the squatter's PADI did not reach the AC, so it never spoke first\n" + t.Diagnostics());
        }
        var a = t.Lab.Dial();
        Assert.Equal(victimMac, a.ClientMac);
        output.WriteLine($"victim dialled session {a.SessionId}");

        using var atAc = t.CaptureAtAc();
        Forge(squatterLan, Padi(victimMac), Echo(victimMac, acMac, a.SessionId));
        server.WaitForLog($"refused frames from {victimMac} through tunnel .*: {victimMac} belongs to tunnel", TimeSpan.FromSeconds(5));
        Forge(squatterLan, new[] { acMac, "01:00:5e:00:00:01", "00:00:00:00:00:00" }.Select(m => Echo(m, acMac, a.SessionId)).ToArray());
        server.WaitForLog($"refused frames from .* through tunnel .*: not a client MAC", TimeSpan.FromSeconds(5));

        Thread.Sleep(1500);
        Assert.False(atAc.Contains(new byte[] { 0xde, 0xad, 0xbe, 0xef }), "a squatter's frame reached the AC");
        int echoes = EchoesAtHome(t.Lab);
        Assert.True(NetnsLab.WaitUntil(() => EchoesAtHome(t.Lab) >= echoes + 2, TimeSpan.FromSeconds(8)),
            "the victim's session stopped\n" + t.Diagnostics());
        Assert.True(t.Lab.AcSessionProcessAlive(a.SessionId), t.Diagnostics());
    }

    private static string Padi(string source) =>
        $"Ether(src='{source}', dst='ff:ff:ff:ff:ff:ff')/PPPoED(code=0x09, sessionid=0)/Raw(bytes([1, 1, 0, 0]))";

    // An LCP Echo-Request marked 0xdeadbeef, so the AC's capture shows whether it got through.
    private static string Echo(string source, string ac, ushort sessionId) =>
        $"Ether(src='{source}', dst='{ac}')/PPPoE(sessionid={sessionId})/PPP(proto=0xc021)/Raw(bytes([9, 0x71, 0, 8, 0xde, 0xad, 0xbe, 0xef]))";

    // Frames sent from the squatter's LAN in one scapy run (each run costs seconds of start-up).
    private static void Forge(NetnsLab lan, params string[] frames)
    {
        var py = "from scapy.all import Ether, sendp, Raw\nfrom scapy.layers.ppp import PPPoE, PPPoED, PPP\n" +
                 $"sendp([{string.Join(", ", frames)}], iface='{lan.HomeIf}', verbose=False)\n";
        var sent = lan.RunInHome(TimeSpan.FromSeconds(20), "/usr/bin/python3", "-c", py);
        Assert.True(sent.Ok, sent.ToString());
    }

    private static int EchoesAtHome(NetnsLab lab) => Directory.GetFiles(lab.StateDir, "client-*.log")
        .Sum(f => Regex.Matches(File.ReadAllText(f), "LCP RX Echo-Req").Count);
}
