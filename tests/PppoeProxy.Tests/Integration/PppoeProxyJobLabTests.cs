using System.Diagnostics;
using System.Management.Automation;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Start-PppoeProxyServer and Start-PppoeProxyClient in a real runspace against real rp-pppoe peers:
/// as jobs (Get-Job, Receive-Job, Get-PppoeSession, Stop-Job, Remove-Job) and in the foreground with
/// -Wait stopped the way Ctrl+C stops it. Each ends with nothing of the proxy left running.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class PppoeProxyJobLabTests
{
    private static readonly TimeSpan TunnelWait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan LabWait = TimeSpan.FromSeconds(8);

    [RootFact]
    public void JobsOverTlsCarryADialledSessionAndStopJobHangsItUpAtTheAc()
    {
        using var lab = new PowerShellLab();
        var host = lab.NewHost();
        var start = host.Run("""
            param($Dir, $ServerSide, $ClientSide, $Endpoint)
            $serverId = New-PppoeProxyCertificate -Path (Join-Path $Dir server)
            $clientId = New-PppoeProxyCertificate -Path (Join-Path $Dir client)
            Start-PppoeProxyServer -Interface $ServerSide -Listen $Endpoint -CertificatePath $serverId.CertificatePath -KeyPath $serverId.KeyPath -TrustedFingerprint $clientId.Fingerprint -Name ppxs | Out-Null
            Start-PppoeProxyClient -Interface $ClientSide -Server $Endpoint -CertificatePath $clientId.CertificatePath -KeyPath $clientId.KeyPath -TrustedFingerprint $serverId.Fingerprint -Name ppxc -KeepAliveInterval 5 | Out-Null
            Get-Job | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.PSJobTypeName) $($_.State)" }
            """, ("Dir", lab.Dir), ("ServerSide", lab.ServerSide), ("ClientSide", lab.ClientSide), ("Endpoint", lab.Endpoint));
        Assert.True(start.AllErrors.Count == 0, start.ToString());
        Assert.Equal(new object[] { "ppxc PppoeProxyJob Running", "ppxs PppoeProxyJob Running" }, start.Objects);
        Assert.True(PowerShellLab.WaitFor(host, "@((Get-Job -Name ppxs).Peers | Where-Object Connected).Count -eq 1", TunnelWait),
            "the client's TLS tunnel never reached the server\n" + host.Run("Receive-Job -Name ppxs, ppxc -Keep *>&1 | Out-String").Objects.FirstOrDefault());

        var session = lab.Lab.Dial();

        var frames = host.Run("Receive-Job -Name ppxs").Objects.OfType<PppoeFrameInfo>().ToList();
        Assert.Contains(frames, f => f.Code == "PADI");
        Assert.Contains(frames, f => f.Ppp?.ProtocolName == "LCP");
        Assert.DoesNotContain(frames, f => f.Ppp?.ProtocolName == "IPv4"); // no -IncludeData
        var sessions = host.Run("Get-Job -Name ppxs | Get-PppoeSession");
        Assert.True(sessions.AllErrors.Count == 0, sessions.ToString());
        var held = Assert.Single(sessions.Objects.Cast<PppoeSessionInfo>(), s => s.SessionId == session.SessionId);
        Assert.Equal(session.ClientMac, held.ClientMac.ToString());
        Assert.Equal(lab.ServerSide, held.Interface);

        // The job's sessions bind to Send-PppoePadt by property name; -WhatIf must put nothing on the wire.
        var atAc = lab.CaptureAtAc();
        var whatIf = host.Run("Get-Job -Name ppxs | Get-PppoeSession | Send-PppoePadt -WhatIf -PassThru");
        Assert.True(whatIf.AllErrors.Count == 0 && whatIf.Output.Count == 0, whatIf.ToString());
        Thread.Sleep(2500);
        var seenAtAc = atAc.Lines();
        Assert.Contains(seenAtAc, l => l.Contains("Echo-Request")); // the capture saw the live session...
        Assert.DoesNotContain(seenAtAc, l => l.Contains("PADT"));   // ...and no PADT
        Assert.True(lab.Lab.AcSessionProcessAlive(session.SessionId), "-WhatIf ended the session\n" + lab.Diagnostics());
        Assert.DoesNotContain("EXIT", lab.AcLog());

        // Read while the job runs, asserted last so the stop is proven whatever these say.
        // The peers are read first: one tunnel only ever connected, so the totals equal its count, plus
        // at most a frame or two that crossed between the two reads (not twice it, as a double count would).
        var stats = host.Run("$tunnel = ((Get-Job -Name ppxs).Peers | Measure-Object FramesFromTunnel -Sum).Sum; " +
            "(Get-Job -Name ppxs).Statistics.FramesFromTunnel; (Get-Job -Name ppxs).DroppedOutput; $tunnel");
        Assert.True(stats.AllErrors.Count == 0, stats.ToString());

        var watch = Stopwatch.StartNew();
        var stop = host.Run("Stop-Job -Name ppxs, ppxc; (Get-Job -Name ppxs, ppxc).State | ForEach-Object ToString");
        watch.Stop();
        Assert.True(stop.AllErrors.Count == 0, stop.ToString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"Stop-Job took {watch.Elapsed}");
        Assert.Equal(new object[] { "Stopped", "Stopped" }, stop.Objects);
        Assert.True(NetnsLab.WaitUntil(() => !lab.Lab.AcSessionProcessAlive(session.SessionId), LabWait),
            "no PADT ended the AC's session on Stop-Job\n" + lab.Diagnostics());
        Assert.Contains("EXIT reason=signal 15", lab.AcLog()); // pppoe-server ended it on our PADT
        Assert.True(NetnsLab.WaitUntil(() => lab.HomeLog().Contains("EXIT"), LabWait), "the home client was not hung up\n" + lab.Diagnostics());

        var removed = host.Run("Remove-Job -Name ppxs, ppxc; @(Get-Job).Count");
        Assert.True(removed.AllErrors.Count == 0, removed.ToString());
        Assert.Equal(0, Assert.Single(removed.Objects));
        AssertNothingLeft(lab);

        // The server end's own totals: it relayed the home client's frames from the tunnel to the AC.
        Assert.True(Convert.ToInt64(stats.Objects[0]) > 0, "the server job's Statistics counted no frames from the tunnel");
        Assert.Equal(0L, Convert.ToInt64(stats.Objects[1]));
        long total = Convert.ToInt64(stats.Objects[0]), tunnel = Convert.ToInt64(stats.Objects[2]);
        Assert.InRange(total, tunnel, tunnel + 2);
    }

    [RootFact]
    public void WaitRunsInTheForegroundAndPowerShellStopEndsItWithPadts()
    {
        using var lab = new PowerShellLab();
        var foreground = lab.NewHost();
        var jobs = lab.NewHost();
        using var shell = foreground.Create("param($ServerSide, $Endpoint) Start-PppoeProxyServer -Interface $ServerSide -Listen $Endpoint -Insecure -Wait -Verbose",
            new Dictionary<string, object?> { ["ServerSide"] = lab.ServerSide, ["Endpoint"] = lab.Endpoint });
        var output = new PSDataCollection<PSObject>();
        var running = shell.BeginInvoke<PSObject, PSObject>(null, output);
        Assert.True(NetnsLab.WaitUntil(() => lab.IsListening() || running.IsCompleted, TunnelWait), "the foreground server never listened");
        Assert.False(running.IsCompleted, "the foreground server ended at once: " + string.Join("; ", Snapshot(shell.Streams.Error)));
        Assert.Contains(Snapshot(shell.Streams.Verbose), v => v.Message.Contains("running"));
        Assert.Contains(Snapshot(shell.Streams.Warning), w => w.Message.Contains("plain text"));

        var client = jobs.Run("param($ClientSide, $Endpoint) Start-PppoeProxyClient -Interface $ClientSide -Server $Endpoint -Insecure -Name ppxc -KeepAliveInterval 5 | Out-Null",
            ("ClientSide", lab.ClientSide), ("Endpoint", lab.Endpoint));
        Assert.True(client.AllErrors.Count == 0, client.ToString());
        Assert.True(PowerShellLab.WaitFor(jobs, "@((Get-Job -Name ppxc).Peers | Where-Object Connected).Count -eq 1", TunnelWait), "the client never connected");
        var session = lab.Lab.Dial();

        // PowerShell.Stop() is what Ctrl+C does to the pipeline: StopProcessing, then a graceful engine stop.
        var watch = Stopwatch.StartNew();
        shell.Stop();
        watch.Stop();
        Assert.True(running.IsCompleted, "the pipeline still runs after Stop()");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"stopping took {watch.Elapsed}");
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        var frames = Snapshot(output).Select(o => o.BaseObject).OfType<PppoeFrameInfo>().ToList();
        Assert.Contains(frames, f => f.Code == "PADI");
        Assert.Contains(frames, f => f.Code == "PADS" && f.SessionId == session.SessionId);
        Assert.True(NetnsLab.WaitUntil(() => !lab.Lab.AcSessionProcessAlive(session.SessionId), LabWait),
            "no PADT ended the AC's session when the foreground server stopped\n" + lab.Diagnostics());
        Assert.Contains("EXIT reason=signal 15", lab.AcLog()); // pppoe-server ended it on our PADT

        var removed = jobs.Run("Stop-Job -Name ppxc; Remove-Job -Name ppxc; @(Get-Job).Count");
        Assert.True(removed.AllErrors.Count == 0, removed.ToString());
        Assert.Equal(0, Assert.Single(removed.Objects));
        AssertNothingLeft(lab);
    }

    /// <summary>The items so far, by index: enumerating a PSDataCollection that is still open can block.</summary>
    private static List<T> Snapshot<T>(PSDataCollection<T> items) => Enumerable.Range(0, items.Count).Select(i => items[i]).ToList();

    /// <summary>No engine thread, no socket on the tunnel port, no session left at the AC, no pppoe left at home.</summary>
    private static void AssertNothingLeft(PowerShellLab lab)
    {
        Assert.True(NetnsLab.WaitUntil(() => PowerShellLab.EngineThreads().Count == 0, TimeSpan.FromSeconds(5)),
            "engine threads still running: " + string.Join(", ", PowerShellLab.EngineThreads()));
        Assert.True(NetnsLab.WaitUntil(lab.PortIsFree, TimeSpan.FromSeconds(5)), $"port {lab.Port} still in use");
        Assert.True(NetnsLab.WaitUntil(() => lab.Lab.AliveAcSessions().Count == 0, LabWait), "a session is left at the AC\n" + lab.Diagnostics());
        Assert.True(NetnsLab.WaitUntil(() => lab.HomeProcesses().Count == 0, LabWait),
            "the home client's pppoe is still running: pids " + string.Join(", ", lab.HomeProcesses()) + "\n" + lab.Diagnostics());
    }
}
