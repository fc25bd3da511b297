# Start-PppoeProxyServer / Start-PppoeProxyClient: validation everywhere; the job lifecycle
# against a netns lab (real rp-pppoe peers) when root.
BeforeDiscovery {
    # -Skip is decided at discovery, before any BeforeAll runs.
    $script:CanLab = ((id -u) -eq 0) -and [bool](Get-Command pppoe-server -ErrorAction SilentlyContinue)
}

BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
    $script:Lab = Join-Path $PSScriptRoot '../lab/lab.sh'
}

Describe 'Start-PppoeProxyServer/Client parameters' {
    It 'rejects a server that is not HOST:PORT' {
        { Start-PppoeProxyClient -Interface lo -Server 'nope' -Insecure } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.StartPppoeProxyClientCommand'
    }

    It 'rejects a listen address that is not an IP' {
        { Start-PppoeProxyServer -Interface lo -Listen 'example.net:4789' -Insecure } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand'
    }

    It 'rejects a bad CIDR' {
        { Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:4789 -Allow '10.0.0.0/99' -Insecure } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand'
    }

    It 'needs TLS material or -Insecure' {
        { Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:4789 -Insecure -CertificatePath x } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand'
    }

    It 'reports a missing interface without leaving a job behind' {
        $before = @(Get-Job).Count
        $err = $null
        try { Start-PppoeProxyServer -Interface nosuch0 -Listen 127.0.0.1:0 -Insecure } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeIn @('InterfaceNotFound,PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand',
            'CapturePermissionDenied,PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand')
        @(Get-Job).Count | Should -Be $before
    }
}

Describe 'Proxy job lifecycle in a netns lab' -Skip:(-not $script:CanLab) {
    BeforeAll {
        $script:Name = "pst$(Get-Random -Maximum 9999)"
        & bash $script:Lab down $script:Name *> $null
        & bash $script:Lab up $script:Name --split
        if ($LASTEXITCODE -ne 0) { throw "lab up failed" }
        $script:Port = Get-Random -Minimum 20000 -Maximum 40000
    }
    AfterAll {
        Get-Job | Where-Object PSJobTypeName -eq 'PppoeProxyJob' | Remove-Job -Force
        & bash $script:Lab down $script:Name *> $null
    }

    It 'runs as jobs, carries a session, and stops gracefully' {
        $server = Start-PppoeProxyServer -Interface "$($script:Name)-s" -Listen "127.0.0.1:$($script:Port)" -Insecure -Name ppxs
        $client = Start-PppoeProxyClient -Interface "$($script:Name)-c" -Server "127.0.0.1:$($script:Port)" -Insecure -Name ppxc -KeepAliveInterval 5
        (Get-Job -Name ppxs).State | Should -Be 'Running'
        (Get-Job -Name ppxc).PSJobTypeName | Should -Be 'PppoeProxyJob'

        $dial = & bash $script:Lab dial $script:Name
        $LASTEXITCODE | Should -Be 0
        $sid = [int](($dial | Select-String 'SESSION_ID=(\d+)').Matches[0].Groups[1].Value)

        $frames = Receive-Job $server
        $frames.Code | Should -Contain 'PADI'
        $frames | Where-Object { $_.Ppp.ProtocolName -eq 'LCP' } | Should -Not -BeNullOrEmpty
        $frames | Where-Object { $_.Ppp.ProtocolName -eq 'IPv4' } | Should -BeNullOrEmpty   # no -IncludeData

        ($server | Get-PppoeSession).SessionId | Should -Contain $sid
        $server.Statistics.FramesFromTunnel | Should -BeGreaterThan 0
        @($server.Peers).Count | Should -Be 1
        $server.DroppedOutput | Should -Be 0

        $watch = [Diagnostics.Stopwatch]::StartNew()
        Stop-Job $server, $client
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
        (Get-Job -Name ppxs).State | Should -Be 'Stopped'
        Remove-Job $server, $client
        Get-Job -Name ppxs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
