using System.Management.Automation;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Find-PppoeServer, live Get-PppoeFrame and a real Send-PppoePadt in runspaces against the lab's
/// real rp-pppoe access concentrator (NAME-s in the root namespace faces it).
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class LiveCommandLabTests
{
    [RootFact]
    public void FindPppoeServerGetsTheAcsOfferWhileGetPppoeFrameCapturesTheDiscovery()
    {
        using var lab = new PowerShellLab();
        var capturing = lab.NewHost();
        var finding = lab.NewHost();
        using var capture = capturing.Create("param($Interface) Get-PppoeFrame -Interface $Interface -Timeout 6",
            new Dictionary<string, object?> { ["Interface"] = lab.ServerSide });
        var frames = new PSDataCollection<PSObject>();
        var running = capture.BeginInvoke<PSObject, PSObject>(null, frames);
        Thread.Sleep(1500); // the capture opens before the probe's PADI goes out

        var found = finding.Run("param($Interface) Find-PppoeServer -Interface $Interface -Timeout 2", ("Interface", lab.ServerSide));
        Assert.True(found.AllErrors.Count == 0, found.ToString());
        var offer = Assert.IsType<PppoeOfferInfo>(Assert.Single(found.Objects));
        Assert.Equal($"LabAC-{lab.Lab.Name}", offer.AcName);
        Assert.Equal(lab.Lab.MacOf(lab.Lab.AcNs, lab.Lab.AcIf), offer.AcMac.ToString());

        Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(15)), "Get-PppoeFrame -Timeout 6 did not end");
        capture.EndInvoke(running);
        var seen = Enumerable.Range(0, frames.Count).Select(i => frames[i].BaseObject).OfType<PppoeFrameInfo>().ToList();
        Assert.Contains(seen, f => f.Code == "PADI");
        Assert.Contains(seen, f => f.Code == "PADO" && f.Source.ToString() == offer.AcMac.ToString());
        Assert.All(seen, f => Assert.Equal(lab.ServerSide, f.Interface));
    }

    [RootFact]
    public void SessionsFromAProxyJobPipedToSendPppoePadtEndTheSessionAtTheAc()
    {
        using var lab = new PowerShellLab();
        var host = lab.NewHost();
        var start = host.Run("""
            param($ServerSide, $ClientSide, $Endpoint)
            Start-PppoeProxyServer -Interface $ServerSide -Listen $Endpoint -Insecure -Name ppxs -GracePeriod 300 | Out-Null
            Start-PppoeProxyClient -Interface $ClientSide -Server $Endpoint -Insecure -Name ppxc -KeepAliveInterval 5 | Out-Null
            """, ("ServerSide", lab.ServerSide), ("ClientSide", lab.ClientSide), ("Endpoint", lab.Endpoint));
        Assert.True(start.AllErrors.Count == 0, start.ToString());
        Assert.True(PowerShellLab.WaitFor(host, "@((Get-Job -Name ppxs).Peers | Where-Object Connected).Count -eq 1", TimeSpan.FromSeconds(20)), "no tunnel");
        var session = lab.Lab.Dial();

        var atAc = lab.CaptureAtAc();
        var sent = host.Run("Get-Job -Name ppxs | Get-PppoeSession | Send-PppoePadt -Confirm:$false -PassThru");
        Assert.True(sent.AllErrors.Count == 0, sent.ToString());
        var padt = Assert.Single(sent.Objects.Cast<PppoeFrameInfo>(), f => f.Code == "PADT");
        Assert.Equal(session.SessionId, padt.SessionId);
        Assert.Equal(session.AcMac, padt.Destination.ToString());
        Assert.True(NetnsLab.WaitUntil(() => !lab.Lab.AcSessionProcessAlive(session.SessionId), TimeSpan.FromSeconds(8)),
            "the AC kept the session after Send-PppoePadt\n" + lab.Diagnostics());
        // ppp-peer.py logs this when pppoe-server ends the session on a PADT (SIGTERM to the session's pppd).
        Assert.Contains("EXIT reason=signal 15", lab.AcLog());
        Thread.Sleep(1500); // tcpdump's block timeout: the PADT is in the file only after it
        var lines = atAc.Lines();
        Assert.True(lines.Any(l => l.Contains("PADT") && l.StartsWith(session.ClientMac + " > " + session.AcMac, StringComparison.Ordinal)),
            "no PADT from the client's MAC reached the AC:\n" + string.Join('\n', lines));

        var removed = host.Run("Get-Job | Stop-Job -PassThru | Remove-Job; @(Get-Job).Count");
        Assert.True(removed.AllErrors.Count == 0, removed.ToString());
        Assert.Equal(0, Assert.Single(removed.Objects));
    }
}
