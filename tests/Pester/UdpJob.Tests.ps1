# -Transport Udp and -ClampMss as an admin uses them: parameters checked at the prompt, then a
# DTLS tunnel between two proxy jobs carrying a real rp-pppoe session (netns lab, root), and a
# client that pinned the wrong server certificate carrying nothing and saying why.
BeforeDiscovery {
    $script:CanLab = ((id -u) -eq 0) -and [bool](Get-Command pppoe-server -ErrorAction SilentlyContinue)
}

BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
    $script:Lab = Join-Path $PSScriptRoot '../lab/lab.sh'
}

Describe '-Transport and -ClampMss parameters' {
    It 'offers Tcp and Udp, and names them when given another' {
        $values = (Get-Command Start-PppoeProxyClient).Parameters['Transport'].ParameterType.GetEnumNames()
        $values | Should -Be @('Tcp', 'Udp')
        { Start-PppoeProxyClient -Interface lo -Server 127.0.0.1:4789 -Insecure -Transport Quic } |
            Should -Throw '*Tcp*Udp*'
    }

    It 'has help whose default for -ClampMss holds for -Transport Udp too' {
        # The engine clamps auto over UDP when -ClampMss is left out; help said only "Default value: off".
        foreach ($cmdlet in 'Start-PppoeProxyServer', 'Start-PppoeProxyClient') {
            (Get-Help $cmdlet -Parameter ClampMss).defaultValue | Should -Be 'off (auto with -Transport Udp)'
            ((Get-Help $cmdlet -Parameter Insecure).description | Out-String) | Should -Match 'no DTLS with -Transport Udp'
        }
    }

    It 'takes auto, off or an MSS, and says what it takes otherwise' {
        foreach ($good in 'auto', 'off', '1360') {
            { Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:0 -Insecure -Transport Udp -ClampMss $good -WhatIf } | Should -Not -Throw
        }
        foreach ($bad in 'abc', '20', '-1') {
            $err = $null
            try { Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:0 -Insecure -ClampMss $bad -WhatIf } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty -Because "-ClampMss $bad is not an MSS"
            $err.Exception.Message | Should -Match 'auto|off'
            $err.Exception.Message | Should -Not -Match '   at '   # one line, no stack trace
        }
    }
}

Describe 'A DTLS tunnel between proxy jobs in a netns lab' -Skip:(-not $script:CanLab) {
    BeforeAll {
        $script:Name = "psu$(Get-Random -Maximum 9999)"
        & bash $script:Lab down $script:Name *> $null
        & bash $script:Lab up $script:Name --split *> $null
        if ($LASTEXITCODE -ne 0) { throw "lab up failed" }
        $script:Port = Get-Random -Minimum 20000 -Maximum 40000
        $dir = Join-Path $TestDrive 'pki'
        $null = New-Item -ItemType Directory $dir
        $script:ServerId = New-PppoeProxyCertificate -Path (Join-Path $dir 'server')
        $script:ClientId = New-PppoeProxyCertificate -Path (Join-Path $dir 'client')
        $script:Stranger = New-PppoeProxyCertificate -Path (Join-Path $dir 'stranger')
    }
    AfterAll {
        Get-Job | Where-Object PSJobTypeName -eq 'PppoeProxyJob' | Remove-Job -Force
        & bash $script:Lab down $script:Name *> $null
    }

    It 'carries a session with pinned certificates and ends it with a PADT on Stop-Job' {
        $server = Start-PppoeProxyServer -Interface "$($script:Name)-s" -Listen "127.0.0.1:$($script:Port)" -Transport Udp `
            -CertificatePath $script:ServerId.CertificatePath -KeyPath $script:ServerId.KeyPath -TrustedFingerprint $script:ClientId.Fingerprint -Name psus
        $client = Start-PppoeProxyClient -Interface "$($script:Name)-c" -Server "127.0.0.1:$($script:Port)" -Transport Udp -ClampMss 1300 `
            -CertificatePath $script:ClientId.CertificatePath -KeyPath $script:ClientId.KeyPath -TrustedFingerprint $script:ServerId.Fingerprint -Name psuc
        $server.ProxyStatus | Should -Match 'DTLS 1\.2 over UDP'
        $client.Statistics.MssClamp.ToString() | Should -Match '^mss clamp 1300'

        $dial = & bash $script:Lab dial $script:Name --timeout 15
        $LASTEXITCODE | Should -Be 0 -Because ($dial -join ' ')
        $sid = [int](($dial | Select-String 'SESSION_ID=(\d+)').Matches[0].Groups[1].Value)

        ($server | Get-PppoeSession).SessionId | Should -Contain $sid
        $peer = @($server.Peers)
        $peer.Count | Should -Be 1
        $peer[0].Fingerprint | Should -Be $script:ClientId.Fingerprint
        $peer[0].FramesFromTunnel | Should -BeGreaterThan 0
        $server.Statistics.TotalDrops | Should -Be 0
        # The AC answered through the tunnel: its PADS reached the client end's LAN side.
        (Receive-Job $client -Keep).Code | Should -Contain 'PADS'

        Stop-Job $server, $client
        # A stopped proxy leaves no ghost: the AC's per-session process is gone.
        $deadline = (Get-Date).AddSeconds(10)
        do { $left = & bash $script:Lab sessions $script:Name; Start-Sleep -Milliseconds 200 } while ($left -and (Get-Date) -lt $deadline)
        $left | Should -BeNullOrEmpty
        Remove-Job $server, $client
    }

    It 'carries nothing for a client that pinned another server certificate, and says why' {
        $port = $script:Port + 1
        $server = Start-PppoeProxyServer -Interface "$($script:Name)-s" -Listen "127.0.0.1:$port" -Transport Udp `
            -CertificatePath $script:ServerId.CertificatePath -KeyPath $script:ServerId.KeyPath -TrustedFingerprint $script:ClientId.Fingerprint -Name psubad
        $client = Start-PppoeProxyClient -Interface "$($script:Name)-c" -Server "127.0.0.1:$port" -Transport Udp `
            -CertificatePath $script:ClientId.CertificatePath -KeyPath $script:ClientId.KeyPath -TrustedFingerprint $script:Stranger.Fingerprint -Name psucbad

        $dial = & bash $script:Lab dial $script:Name --timeout 4 2>&1
        $LASTEXITCODE | Should -Not -Be 0 -Because 'no PADO can come back through a tunnel that never opened'
        $client.State | Should -Be 'Running'   # it keeps trying: the server may be fixed meanwhile
        $said = $client.Warning | Select-Object -First 1
        "$said" | Should -Match 'fingerprint mismatch: expected [0-9a-f]{64}, got [0-9a-f]{64}'
        "$said" | Should -Match ([regex]::Escape($script:ServerId.Fingerprint))
        @($server.Peers | Where-Object Connected).Count | Should -Be 0
        $server.Statistics.FramesFromTunnel | Should -Be 0
        Remove-Job $server, $client -Force
    }
}
