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

    It 'names the conflict when -Insecure comes with TLS parameters' {
        # -CertificatePath x does not exist: the conflict is still the error reported, not the file.
        { Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:4789 -Insecure -CertificatePath x } |
            Should -Throw -ErrorId 'InsecureWithTlsParameters,PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand'
    }

    It 'names the missing TLS parameters without -Insecure' {
        $err = $null
        try { Start-PppoeProxyClient -Interface lo -Server 127.0.0.1:4789 -CertificatePath x } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TlsParametersMissing,PppoeProxy.PowerShell.Commands.StartPppoeProxyClientCommand'
        $err.Exception.Message | Should -Match '-KeyPath, -TrustedFingerprint'
    }

    It 'reports a missing TLS file by its path' {
        $fp = 'ab' * 32
        $err = $null
        try { Start-PppoeProxyClient -Interface lo -Server 127.0.0.1:4789 -CertificatePath ./nope.crt -KeyPath ./nope.key -TrustedFingerprint $fp } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TlsFileNotFound,PppoeProxy.PowerShell.Commands.StartPppoeProxyClientCommand'
        $err.TargetObject | Should -Be './nope.crt'
    }

    It 'names the -Listen port range including 0' {
        { Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:99999 -Insecure } | Should -Throw '*port must be 0..65535 (0 picks a free port)*'
    }

    It 'takes -MaxSessions from 1 to 1000000, unlimited when omitted, and documents it' {
        foreach ($bad in 0, -1, 1000001) {
            { Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:4789 -Insecure -MaxSessions $bad } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand'
        }
        { Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:4789 -Insecure -MaxSessions two } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand'
        { Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:0 -Insecure -MaxSessions 1 -WhatIf } | Should -Not -Throw
        @(Get-Job | Where-Object PSJobTypeName -like 'PppoeProxy*').Count | Should -Be 0
        (Get-Command Start-PppoeProxyServer).Parameters['MaxSessions'].ParameterType | Should -Be ([int])
        $help = Get-Help Start-PppoeProxyServer -Parameter MaxSessions
        $help.defaultValue | Should -Be 'None (unlimited)'
        ($help.description | Out-String) | Should -Match 'FLET''S line allows 2 sessions'
    }

    It 'accepts port 0 (a free port) for -Listen' {
        $cmd = Get-Command Start-PppoeProxyServer
        { & $cmd -Interface lo -Listen 127.0.0.1:0 -Insecure -WhatIf } | Should -Not -Throw
    }

    It 'supports -WhatIf without prompting by default, and starts nothing' {
        foreach ($name in 'Start-PppoeProxyServer', 'Start-PppoeProxyClient') {
            $meta = [System.Management.Automation.CommandMetadata]::new((Get-Command $name))
            $meta.SupportsShouldProcess | Should -BeTrue
            $meta.ConfirmImpact | Should -Be 'Medium'
        }
        $before = @(Get-Job).Count
        Start-PppoeProxyServer -Interface lo -Listen 127.0.0.1:0 -Insecure -WhatIf | Should -BeNullOrEmpty
        @(Get-Job).Count | Should -Be $before
    }

    It 'reports a missing interface without leaving a job behind' {
        $before = @(Get-Job).Count
        $err = $null
        try { Start-PppoeProxyServer -Interface nosuch0 -Listen 127.0.0.1:0 -Insecure -ErrorAction Stop } catch { $err = $_ }
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
        ($frames[0] | ConvertTo-Json -Depth 1 -WarningAction SilentlyContinue) | Should -Match '"Direction":\s*"From(Tunnel|Ac|Lan)"'
        $frames | Where-Object { $_.Ppp.ProtocolName -eq 'LCP' } | Should -Not -BeNullOrEmpty
        $frames | Where-Object { $_.Ppp.ProtocolName -eq 'IPv4' } | Should -BeNullOrEmpty   # no -IncludeData

        ($server | Get-PppoeSession).SessionId | Should -Contain $sid
        $server.Statistics.FramesFromTunnel | Should -BeGreaterThan 0
        @($server.Peers).Count | Should -Be 1
        # The job's totals are its tunnels' totals (the engine counts frames per tunnel).
        $server.Statistics.FramesToTunnel | Should -Be ($server.Peers | Measure-Object FramesToTunnel -Sum).Sum
        ($server.Peers | ConvertTo-Csv | Out-String) | Should -Not -Match 'System\.'
        $server.DroppedOutput | Should -Be 0

        $watch = [Diagnostics.Stopwatch]::StartNew()
        Stop-Job $server, $client
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
        (Get-Job -Name ppxs).State | Should -Be 'Stopped'
        Remove-Job $server, $client
        Get-Job -Name ppxs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'warns when a second proxy job starts on an interface a running one uses' {
        Get-Job | Where-Object PSJobTypeName -eq 'PppoeProxyJob' | Remove-Job -Force
        $first = Start-PppoeProxyServer -Interface "$($script:Name)-s" -Listen 127.0.0.1:0 -Insecure -Name ppxone -WarningAction SilentlyContinue
        try {
            $second = Start-PppoeProxyServer -Interface "$($script:Name)-s" -Listen 127.0.0.1:0 -Insecure -Name ppxtwo -WarningAction SilentlyContinue -WarningVariable said
            $second.State | Should -Be 'Running'
            ($said -join "`n") | Should -Match "proxy job $($first.Id) \(ppxone, server\) already runs on $($script:Name)-s"
        }
        finally { Get-Job | Where-Object PSJobTypeName -eq 'PppoeProxyJob' | Remove-Job -Force }
    }

    It 'lists proxy jobs and other jobs in one Get-Job table' {
        $proxy = Start-PppoeProxyServer -Interface "$($script:Name)-s" -Listen 127.0.0.1:0 -Insecure -Name ppxlist -WarningAction SilentlyContinue
        $other = Start-ThreadJob { 1 }
        try {
            $text = Get-Job -Id $proxy.Id, $other.Id | Out-String -Width 120
            ([regex]::Matches($text, '(?m)^Id\s+Name\s+PSJobTypeName')).Count | Should -Be 1
            $text | Should -Not -Match '(?m)^Command\s+:'
            $proxy.Command | Should -Not -Match 'Get-Job'
        }
        finally { Remove-Job $proxy, $other -Force }
    }

    It 'shows progress while listening for sessions' {
        $ps = [powershell]::Create()
        try {
            $manifest = (Resolve-Path "$PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1").Path
            $null = $ps.AddScript("Import-Module '$manifest'; Get-PppoeSession -Interface '$($script:Name)-s' -Timeout 2")
            $null = $ps.Invoke()
            $records = @($ps.Streams.Progress | Where-Object RecordType -ne 'Completed')
            $records.Count | Should -BeGreaterThan 2
            $records[-1].StatusDescription | Should -Match '\d+ session\(s\), \d+ frame\(s\)'
            $records[0].SecondsRemaining | Should -BeGreaterThan 0
        }
        finally { $ps.Dispose() }
    }

    It 'stops running jobs with PADTs when pwsh exits, and says so' {
        # An earlier failed test may have left its jobs on the lab's interfaces.
        Get-Job | Where-Object PSJobTypeName -eq 'PppoeProxyJob' | Remove-Job -Force
        $port = $script:Port + 1
        $manifest = (Resolve-Path "$PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1").Path
        $child = @"
Import-Module '$manifest'
`$null = Start-PppoeProxyServer -Interface '$($script:Name)-s' -Listen 127.0.0.1:$port -Insecure -WarningAction SilentlyContinue
`$null = Start-PppoeProxyClient -Interface '$($script:Name)-c' -Server 127.0.0.1:$port -Insecure -WarningAction SilentlyContinue
bash '$($script:Lab)' dial $($script:Name)
exit
"@
        $errFile = Join-Path $TestDrive 'exit.err'
        # The pinned pwsh is a dotnet tool: the process path is dotnet, so name the launcher.
        $pwsh = Join-Path $PSScriptRoot '../../.tools/pwsh/pwsh'
        if (-not (Test-Path $pwsh)) { $pwsh = (Get-Command pwsh).Source }
        $out = $child | & $pwsh -NoProfile -NonInteractive -Command - 2> $errFile
        $sid = [int](($out | Select-String 'SESSION_ID=(\d+)').Matches[0].Groups[1].Value)
        $sid | Should -BeGreaterThan 0
        # The AC's per-session process ends when it receives the PADT.
        $deadline = (Get-Date).AddSeconds(10)
        do { $alive = & bash $script:Lab sessions $script:Name | Where-Object { ($_ -split ' ')[1] -eq "$sid" }; Start-Sleep -Milliseconds 300 }
        while ($alive -and (Get-Date) -lt $deadline)
        $alive | Should -BeNullOrEmpty
        $said = Get-Content $errFile -Raw
        $said | Should -Match 'stopped job \d+ .*server.*as the shell exits'
        $said | Should -Match 'server.*as the shell exits; 1 live session'
        $said | Should -Match 'client.*as the shell exits'
    }

    It 'says what Ctrl+C on -Wait did: the live session ended with a PADT' {
        Get-Job | Where-Object PSJobTypeName -eq 'PppoeProxyJob' | Remove-Job -Force
        $port = $script:Port + 2
        $manifest = (Resolve-Path "$PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1").Path
        $script = Join-Path $TestDrive 'wait.ps1'
        "Import-Module '$manifest'; Start-PppoeProxyServer -Interface '$($script:Name)-s' -Listen 127.0.0.1:$port -Insecure -Wait -WarningAction SilentlyContinue" |
            Set-Content -Path $script
        $go = Join-Path $TestDrive 'go'
        $out = Join-Path $TestDrive 'wait.out'
        $pwsh = Join-Path $PSScriptRoot '../../.tools/pwsh/pwsh'
        if (-not (Test-Path $pwsh)) { $pwsh = (Get-Command pwsh).Source }
        $child = Start-Process python3 -ArgumentList "$PSScriptRoot/ctrl-c.py", $go, $out, 60, $pwsh, '-NoProfile', '-File', $script -PassThru
        try {
            $client = Start-PppoeProxyClient -Interface "$($script:Name)-c" -Server "127.0.0.1:$port" -Insecure -KeepAliveInterval 5 -WarningAction SilentlyContinue
            $deadline = (Get-Date).AddSeconds(20)
            while (-not ($client.Peers | Where-Object Connected) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $dial = & bash $script:Lab dial $script:Name
            $sid = [int](($dial | Select-String 'SESSION_ID=(\d+)').Matches[0].Groups[1].Value)
            Set-Content -Path $go -Value go
            $exited = $child.WaitForExit(40000)
            # On a failure, say what the shell showed: a Ctrl+C that hit no cmdlet looks different from a slow stop.
            $exited | Should -BeTrue -Because "the shell printed: $(if (Test-Path $out) { Get-Content $out -Raw })"
        }
        finally {
            if (-not $child.HasExited) { $child.Kill() }
            Get-Job | Where-Object PSJobTypeName -eq 'PppoeProxyJob' | Remove-Job -Force
        }
        Get-Content $out -Raw | Should -Match 'proxy server on \S+ stopped: 1 live session\(s\) ended with PADTs'
        Get-Content $out -Raw | Should -Match 'FromTunnel\s+0\s+\S+\s+PADI'   # -Wait frames show their Direction, as a job's do
        & bash $script:Lab sessions $script:Name | Where-Object { ($_ -split ' ')[1] -eq "$sid" } | Should -BeNullOrEmpty
    }

    It 'finds the lab AC and shows the offer readably in a table, JSON and CSV' {
        $offer = Find-PppoeServer -Interface "$($script:Name)-s" -Timeout 2
        @($offer).Count | Should -Be 1
        $offer.AcName | Should -Be "LabAC-$($script:Name)"
        $text = $offer | Out-String -Width 80
        ($text -split "`n" | ForEach-Object Length | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual 80
        $text | Should -Match "LabAC-$($script:Name)"
        ($offer | ConvertTo-Json) | Should -Match '"AcMac":\s*"[0-9a-f:]{17}"'
        ($offer | ConvertTo-Csv | Out-String) | Should -Not -Match 'System\.'
    }

    It 'prints the offers seen when Find-PppoeServer is stopped with Ctrl+C' {
        $manifest = (Resolve-Path "$PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1").Path
        $script = Join-Path $TestDrive 'find.ps1'
        # No progress bar here: that is tested above, and its terminal queries only slow this test down.
        $ready = Join-Path $TestDrive 'find.ready'
        # The script says when the module is in: a loaded machine may take seconds to start pwsh, and a
        # Ctrl+C before the cmdlet runs would test nothing.
        "`$ProgressPreference = 'SilentlyContinue'; Import-Module '$manifest'; Set-Content '$ready' ready; Find-PppoeServer -Interface '$($script:Name)-s' -Timeout 60" |
            Set-Content -Path $script
        $go = Join-Path $TestDrive 'find.go'
        $out = Join-Path $TestDrive 'find.out'
        $pwsh = Join-Path $PSScriptRoot '../../.tools/pwsh/pwsh'
        if (-not (Test-Path $pwsh)) { $pwsh = (Get-Command pwsh).Source }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $child = Start-Process python3 -ArgumentList "$PSScriptRoot/ctrl-c.py", $go, $out, 40, $pwsh, '-NoProfile', '-File', $script -PassThru
        try {
            $started = [Diagnostics.Stopwatch]::StartNew()
            while (-not (Test-Path $ready) -and $started.Elapsed.TotalSeconds -lt 25) { Start-Sleep -Milliseconds 100 }
            Start-Sleep -Seconds 3 # the AC's PADO comes back within milliseconds; 3 s is room for a loaded machine
            Set-Content -Path $go -Value go
            $exited = $child.WaitForExit(30000)
        }
        finally { if (-not $child.HasExited) { $child.Kill() } }
        Get-Content $out -Raw | Should -Match 'stopped: 1 offer\(s\) on \S+-s'
        $exited | Should -BeTrue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 45
    }

    It 'reports a listen address in use on the endpoint, saying what to do' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $endpoint = "127.0.0.1:$($listener.LocalEndpoint.Port)"
            $job = Start-PppoeProxyServer -Interface "$($script:Name)-s" -Listen $endpoint -Insecure -WarningAction SilentlyContinue -ErrorAction SilentlyContinue -ErrorVariable errs
            $job | Should -BeNullOrEmpty
            $errs[0].FullyQualifiedErrorId | Should -Be 'ListenAddressInUse,PppoeProxy.PowerShell.Commands.StartPppoeProxyServerCommand'
            $errs[0].TargetObject | Should -Be $endpoint
            $errs[0].ErrorDetails.Message | Should -Match 'already in use: .*-Listen'
        }
        finally { $listener.Stop() }
    }

    It 'fails a job whose interface goes away, with the reason' {
        $job = Start-PppoeProxyServer -Interface "$($script:Name)-s" -Listen 127.0.0.1:0 -Insecure -Name ppxgone -WarningAction SilentlyContinue
        $job.Command | Should -Match '^Start-PppoeProxyServer -Interface \S+-s -Listen 127\.0\.0\.1:0 -Insecure -Name ppxgone'
        & ip link del "$($script:Name)-s"
        $job | Wait-Job -Timeout 20 | Out-Null
        $job.State | Should -Be 'Failed'
        $job.JobStateInfo.Reason | Should -Not -BeNullOrEmpty
        $job.Error[0].FullyQualifiedErrorId | Should -Be 'InterfaceNotFound'
        $job.Error[0].Exception.Message | Should -Match 'went away|no such device|not found'
        Remove-Job $job
    }
}
