using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// lab.sh --vlan itself, which the VLAN tests of the watcher and the proxies rely on: the peers speak
/// tagged on the links where our tools capture, and only frames tagged with the lab's id reach them.
/// </summary>
public sealed class LabVlanTests
{
    [RootFact]
    public void TheBridgeCarriesTaggedFramesAndOnlyTaggedFramesReachThePeers()
    {
        using var lab = NetnsLab.Start(bridge: true, vlan: 35);
        var s = lab.Dial();

        // tcpdump -e shows the tag of the echoes on the untagged bridge (it carries nothing but the lab's PPPoE).
        var seen = NetnsLab.Run("tcpdump", new[] { "-i", lab.BridgeIf, "-e", "-n", "-c", "2" }, TimeSpan.FromSeconds(10));
        Assert.True(seen.Ok, seen.ToString());
        Assert.Contains("vlan 35", seen.Stdout);

        // A PADT injected on the bridge without the tag never reaches the AC; the same PADT tagged ends the session.
        Assert.True(SendPadt(lab, s, vlan: null).Ok);
        Thread.Sleep(1000);
        Assert.True(lab.AcSessionProcessAlive(s.SessionId), "an untagged PADT reached the AC of a VLAN lab\n" + lab.Logs());
        Assert.True(SendPadt(lab, s, vlan: 35).Ok);
        Assert.True(NetnsLab.WaitUntil(() => !lab.AcSessionProcessAlive(s.SessionId), TimeSpan.FromSeconds(5)),
            "a PADT tagged 35 did not reach the AC\n" + lab.Logs());
    }

    private static CommandResult SendPadt(NetnsLab lab, LabSession s, int? vlan)
    {
        var tag = vlan is int id ? $"/Dot1Q(vlan={id})" : "";
        var py = "from scapy.all import Ether, Dot1Q, PPPoED, sendp\n" +
                 $"sendp(Ether(src='{s.ClientMac}', dst='{s.AcMac}'){tag}/PPPoED(code=0xa7, sessionid={s.SessionId}), iface='{lab.BridgeIf}', verbose=False)";
        return NetnsLab.Run("/usr/bin/python3", new[] { "-c", py }, TimeSpan.FromSeconds(15));
    }
}
