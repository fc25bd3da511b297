using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>Proves the netns lab gives us real rp-pppoe sessions, ghosts and PADT behaviour.</summary>
public sealed class LabTests(ITestOutputHelper output)
{
    private const string MacRe = "^([0-9a-f]{2}:){5}[0-9a-f]{2}$";

    [RootFact]
    public void SessionComesUpGhostKeepsGettingEchoesAndDownCleansEverything()
    {
        var lab = NetnsLab.Start();
        IReadOnlyList<int> pids;
        try
        {
            var s = lab.Dial();
            output.WriteLine($"{lab.Name}: {s}");
            Assert.NotEqual(0, s.SessionId);
            Assert.Matches(MacRe, s.ClientMac);
            Assert.Equal(lab.MacOf(lab.AcNs, lab.AcIf), s.AcMac);
            Assert.Equal(lab.MacOf(lab.HomeNs, lab.HomeIf), s.ClientMac);
            Assert.True(lab.AcSessionProcessAlive(s.SessionId), lab.Logs());

            lab.MakeGhost();

            // Capture filter: "pppoes" must come last, it switches BPF to the PPP payload.
            // The AC, unaware the client died, keeps probing it with LCP Echo-Requests (code 9).
            var cap = lab.RunInHome(TimeSpan.FromSeconds(15), "timeout", "8", "tshark", "-i", lab.HomeIf,
                "-f", $"ether src {s.AcMac} and pppoes", "-c", "3", "-T", "fields",
                "-e", "eth.dst", "-e", "pppoe.session_id", "-e", "ppp.protocol", "-e", "ppp.code");
            output.WriteLine(cap.ToString());
            var echoes = cap.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split('\t'))
                .Where(f => f.Length >= 4 && f[0] == s.ClientMac && Convert.ToUInt16(f[1], 16) == s.SessionId
                            && f[2] == "0xc021" && f[3] == "9")
                .Count();
            Assert.True(echoes >= 2, $"expected LCP Echo-Requests to the ghost, got:\n{cap}");
            Assert.True(lab.AcSessionProcessAlive(s.SessionId), "ghost session must still be alive on the AC");
            pids = lab.NamespacePids();
            Assert.NotEmpty(pids);
        }
        finally
        {
            lab.Dispose();
        }

        // Nothing of the lab may survive: namespaces, veths, processes.
        var nsList = NetnsLab.Run("ip", new[] { "netns", "list" }, TimeSpan.FromSeconds(5)).Stdout;
        Assert.DoesNotContain(lab.AcNs, nsList);
        Assert.DoesNotContain(lab.HomeNs, nsList);
        var links = NetnsLab.Run("ip", new[] { "-o", "link" }, TimeSpan.FromSeconds(5)).Stdout;
        Assert.DoesNotContain(lab.Name + "-", links);
        Assert.DoesNotContain(pids, NetnsLab.ProcessAlive);
        Assert.False(Directory.Exists(lab.StateDir));
    }

    [RootFact]
    public void PadtFromClientMacEndsTheAcSessionButAWrongSourceMacIsIgnored()
    {
        using var lab = NetnsLab.Start();
        var s = lab.Dial();
        lab.MakeGhost();
        Assert.True(lab.AcSessionProcessAlive(s.SessionId));

        // pppoe-server checks the PADT's source MAC against the session's peer.
        lab.SendPadtFromHome("02:00:00:00:00:99", s.AcMac, s.SessionId);
        Thread.Sleep(2000);
        Assert.True(lab.AcSessionProcessAlive(s.SessionId), "PADT from a foreign MAC must not end the session");

        // Wrong session id from the right MAC is ignored too.
        lab.SendPadtFromHome(s.ClientMac, s.AcMac, (ushort)(s.SessionId + 7));
        Thread.Sleep(1000);
        Assert.True(lab.AcSessionProcessAlive(s.SessionId), "PADT for another session id must not end it");

        lab.SendPadtFromHome(s.ClientMac, s.AcMac, s.SessionId);
        Assert.True(NetnsLab.WaitUntil(() => !lab.AcSessionProcessAlive(s.SessionId), TimeSpan.FromSeconds(5)),
            "PADT from the client MAC should end the AC session\n" + lab.Logs());
        Assert.Contains("EXIT reason=signal 15", lab.Logs()); // pppoe-server SIGTERMs its -q program
    }

    [RootFact]
    public void PapAndIpcpNegotiateAndHangupSendsPadtThatEndsTheSession()
    {
        using var lab = NetnsLab.Start(requirePap: true);
        var s = lab.Dial(pap: true, ipcp: true);
        Assert.True(NetnsLab.WaitUntil(() => lab.Logs().Contains("IPCP OPENED local=10.0.0.1"), TimeSpan.FromSeconds(5)),
            lab.Logs());
        var logs = lab.Logs();
        Assert.Contains("PAP RX Authenticate-Request user=user -> Ack", logs);
        Assert.Contains("(3, 'c023')", logs); // the AC asked for PAP in its LCP Configure-Request

        lab.HangUp(); // client pppoe sends a PADT on SIGTERM
        Assert.True(NetnsLab.WaitUntil(() => !lab.AcSessionProcessAlive(s.SessionId), TimeSpan.FromSeconds(5)),
            lab.Logs());
    }

    [RootFact]
    public void SplitModeLeavesProxyEndsInRootNamespaceAndDownRemovesThem()
    {
        var lab = NetnsLab.Start(split: true);
        try
        {
            var links = NetnsLab.Run("ip", new[] { "-o", "link" }, TimeSpan.FromSeconds(5)).Stdout;
            Assert.Contains($" {lab.ServerSideIf}@", links);
            Assert.Contains($" {lab.ClientSideIf}@", links);
            Assert.Matches(MacRe, lab.MacOf(lab.AcNs, lab.AcIf));
            Assert.Matches(MacRe, lab.MacOf(lab.HomeNs, lab.HomeIf));
        }
        finally
        {
            lab.Dispose();
        }
        var after = NetnsLab.Run("ip", new[] { "-o", "link" }, TimeSpan.FromSeconds(5)).Stdout;
        Assert.DoesNotContain(lab.Name + "-", after);
    }
}
