# The ghost guard as an admin meets it in proxy jobs: on by default, -GhostGuard Off, and a restarted
# client's ghost ended against a netns lab whose AC (pppoe-server -x 1) refuses a second session per MAC.
BeforeDiscovery {
    $script:CanLab = ((id -u) -eq 0) -and [bool](Get-Command pppoe-server -ErrorAction SilentlyContinue)
}

BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
    $script:Lab = Join-Path $PSScriptRoot '../lab/lab.sh'
}

Describe '-GhostGuard' {
    It 'takes On or Off only' {
        { Start-PppoeProxyClient -Interface lo -Server 127.0.0.1:4789 -Insecure -GhostGuard Maybe } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.StartPppoeProxyClientCommand'
        (Get-Command Start-PppoeProxyServer).Parameters['GhostGuard'].Attributes.ValidValues | Should -Be @('On', 'Off')
    }
}

Describe 'Ghost guard in proxy jobs, in a netns lab' -Skip:(-not $script:CanLab) {
    BeforeAll {
        $script:Name = "pgg$(Get-Random -Maximum 9999)"
        & bash $script:Lab down $script:Name *> $null
        & bash $script:Lab up $script:Name --split --one-per-mac
        if ($LASTEXITCODE -ne 0) { throw "lab up failed" }
        $script:Port = Get-Random -Minimum 20000 -Maximum 40000
    }
    AfterAll {
        Get-Job | Where-Object PSJobTypeName -eq 'PppoeProxyJob' | Remove-Job -Force
        & bash $script:Lab down $script:Name *> $null
    }

    It 'ends the ghost of a client that restarted, and counts it in Statistics' {
        $server = Start-PppoeProxyServer -Interface "$($script:Name)-s" -Listen "127.0.0.1:$($script:Port)" -Insecure -WarningAction SilentlyContinue
        $client = Start-PppoeProxyClient -Interface "$($script:Name)-c" -Server "127.0.0.1:$($script:Port)" -Insecure -KeepAliveInterval 5 -WarningAction SilentlyContinue
        try {
            $client.Statistics.GhostGuard | Should -Be 'On'
            $first = & bash $script:Lab dial $script:Name
            $LASTEXITCODE | Should -Be 0
            $mac = ($first | Select-String 'CLIENT_MAC=(\S+)').Matches[0].Groups[1].Value
            & bash $script:Lab ghost $script:Name | Out-Null
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $second = & bash $script:Lab dial $script:Name
            $LASTEXITCODE | Should -Be 0 -Because "the redial failed: $second"
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
            $client.Statistics.GhostsEnded | Should -Be 1
            $client.Statistics.GhostChecks | Should -Be 1
            # The AC holds the new session only.
            @(& bash $script:Lab sessions $script:Name | Where-Object { ($_ -split ' ')[2] -eq $mac }).Count | Should -Be 1
            $client.Warning.Message -join "`n" | Should -Match "ghost guard: PADT sent to AC .* of client $mac"
        }
        finally { Remove-Job $server, $client -Force }
    }

    It 'leaves the ghost alone with -GhostGuard Off' {
        & bash $script:Lab restart-ac $script:Name | Out-Null   # no session left from the test before
        $port = $script:Port + 1
        $server = Start-PppoeProxyServer -Interface "$($script:Name)-s" -Listen "127.0.0.1:$port" -Insecure -GhostGuard Off -WarningAction SilentlyContinue
        $client = Start-PppoeProxyClient -Interface "$($script:Name)-c" -Server "127.0.0.1:$port" -Insecure -GhostGuard Off -KeepAliveInterval 5 -WarningAction SilentlyContinue
        try {
            $client.Statistics.GhostGuard | Should -Be 'Off'
            & bash $script:Lab dial $script:Name | Out-Null
            $LASTEXITCODE | Should -Be 0
            & bash $script:Lab ghost $script:Name | Out-Null
            & bash $script:Lab dial $script:Name 2>&1 | Out-Null
            $LASTEXITCODE | Should -Not -Be 0
            $client.Statistics.GhostsEnded | Should -Be 0
        }
        finally { Remove-Job $server, $client -Force }
    }
}
