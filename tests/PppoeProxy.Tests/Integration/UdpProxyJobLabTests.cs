using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>`-Transport Udp` on both cmdlets: the jobs carry a real rp-pppoe session over DTLS.</summary>
[Collection(TunnelLabCollection.Name)]
public sealed class UdpProxyJobLabTests
{
    private static readonly TimeSpan TunnelWait = TimeSpan.FromSeconds(20);

    [RootFact]
    public void JobsWithTransportUdpCarryADialledSessionOverDtls()
    {
        using var lab = new PowerShellLab();
        var host = lab.NewHost();
        var start = host.Run("""
            param($Dir, $ServerSide, $ClientSide, $Endpoint)
            $serverId = New-PppoeProxyCertificate -Path (Join-Path $Dir server)
            $clientId = New-PppoeProxyCertificate -Path (Join-Path $Dir client)
            Start-PppoeProxyServer -Interface $ServerSide -Listen $Endpoint -Transport Udp -CertificatePath $serverId.CertificatePath -KeyPath $serverId.KeyPath -TrustedFingerprint $clientId.Fingerprint -Name ppxs | Out-Null
            Start-PppoeProxyClient -Interface $ClientSide -Server $Endpoint -Transport udp -CertificatePath $clientId.CertificatePath -KeyPath $clientId.KeyPath -TrustedFingerprint $serverId.Fingerprint -Name ppxc | Out-Null
            (Get-Job -Name ppxs).Command
            $clientId.Fingerprint
            """, ("Dir", lab.Dir), ("ServerSide", lab.ServerSide), ("ClientSide", lab.ClientSide), ("Endpoint", lab.Endpoint));
        Assert.True(start.AllErrors.Count == 0, start.ToString());
        Assert.Contains("-Transport Udp", start.Objects[0]?.ToString());
        var clientFingerprint = start.Objects[1]?.ToString();
        Assert.True(PowerShellLab.WaitFor(host, "@((Get-Job -Name ppxs).Peers | Where-Object Connected).Count -eq 1", TunnelWait),
            "the client's UDP tunnel never reached the server\n" + host.Run("Receive-Job -Name ppxs, ppxc -Keep *>&1 | Out-String").Objects.FirstOrDefault());

        var session = lab.Lab.Dial();
        var sessions = host.Run("Get-Job -Name ppxs | Get-PppoeSession");
        Assert.True(sessions.AllErrors.Count == 0, sessions.ToString());
        Assert.Single(sessions.Objects.Cast<PppoeSessionInfo>(), s => s.SessionId == session.SessionId);
        // Mutually authenticated: the server's peer is the client's pinned certificate (the server has no TCP socket at all).
        var peer = host.Run("(Get-Job -Name ppxs).Peers | Where-Object Connected | ForEach-Object Fingerprint");
        Assert.Equal(clientFingerprint, Assert.Single(peer.Objects)?.ToString());
        Assert.False(lab.IsListening(), "a UDP server must not listen on TCP");
        host.Run("Get-Job | Stop-Job; Get-Job | Remove-Job");
    }
}
