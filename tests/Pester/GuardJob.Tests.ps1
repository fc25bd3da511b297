# Start-PppoeGuard: the standalone ghost-session watcher as a job. Parameters everywhere; as root, a
# -WhatIf run and a job's whole lifecycle against a netns lab whose home and AC are joined by a bridge
# (lab.sh --bridge) and whose AC (pppoe-server -x 1) refuses a second session per MAC.
BeforeDiscovery {
    $script:CanLab = ((id -u) -eq 0) -and [bool](Get-Command pppoe-server -ErrorAction SilentlyContinue)
}

BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
    $script:Lab = Join-Path $PSScriptRoot '../lab/lab.sh'
}

Describe 'Start-PppoeGuard parameters' {
    It 'needs an interface and takes no tunnel parameters' {
        $cmd = Get-Command Start-PppoeGuard
        $cmd.Parameters['Interface'].Attributes.Where({ $_ -is [Parameter] }).Mandatory | Should -BeTrue
        foreach ($p in 'Insecure', 'CertificatePath', 'GracePeriod', 'GhostGuard') { $cmd.Parameters.Keys | Should -Not -Contain $p }
        foreach ($p in 'Wait', 'WhatIf', 'Confirm', 'Name', 'StatsInterval', 'IncludeData', 'OutputLimit') { $cmd.Parameters.Keys | Should -Contain $p }
    }

    It 'rejects a -StatsInterval out of range' {
        { Start-PppoeGuard -Interface lo -StatsInterval 0 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.StartPppoeGuardCommand'
    }

    It 'reports a missing interface as a non-terminating error and starts no job' {
        $before = @(Get-Job).Count
        $err = $null
        Start-PppoeGuard -Interface nosuch0 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Match '^InterfaceNotFound'
        @(Get-Job).Count | Should -Be $before
    }
}

Describe 'Start-PppoeGuard in a netns lab' -Skip:(-not $script:CanLab) {
    BeforeAll {
        $script:Name = "gwp$(Get-Random -Maximum 9999)"
        & bash $script:Lab down $script:Name *> $null
        & bash $script:Lab up $script:Name --bridge --one-per-mac
        if ($LASTEXITCODE -ne 0) { throw "lab up failed" }
        $script:Bridge = "$($script:Name)-b"
        function script:MacOf($dialOutput) { ($dialOutput | Select-String 'CLIENT_MAC=(\S+)').Matches[0].Groups[1].Value }
        function script:AcSessionsOf($mac) { @(& bash $script:Lab sessions $script:Name | Where-Object { ($_ -split ' ')[2] -eq $mac }) }
    }
    AfterAll {
        Get-Job | Where-Object PSJobTypeName -eq 'PppoeProxyJob' | Remove-Job -Force
        & bash $script:Lab down $script:Name *> $null
    }

    It 'with -WhatIf watches, says "What if: ... would send PADT" and leaves the ghost' {
        $job = Start-PppoeGuard -Interface $script:Bridge -WhatIf -Name guard-whatif
        try {
            $job.State | Should -Be 'Running'
            $job.Endpoint | Should -Be 'dry run'
            $first = & bash $script:Lab dial $script:Name
            $LASTEXITCODE | Should -Be 0
            $mac = MacOf $first
            & bash $script:Lab redial $script:Name --timeout 5 2>&1 | Out-Null
            $LASTEXITCODE | Should -Not -Be 0 -Because 'a dry run must not end the ghost'
            $job.Guard.WouldEnd | Should -BeGreaterOrEqual 1   # 2 when the client's 5 s PADI retry came before the kill
            $job.Guard.GhostsEnded | Should -Be 0
            $job.Warning.Message -join "`n" | Should -Match "What if: ghost guard \(dry run\): would send PADT to AC .* of client $mac"
            (AcSessionsOf $mac).Count | Should -Be 1
        }
        finally { Remove-Job $job -Force }
    }

    It 'runs as a job: Running, ends a restarted client''s ghost within 5 s, frames in Receive-Job, Stop-Job stops it' {
        & bash $script:Lab restart-ac $script:Name | Out-Null   # no ghost left from the test before
        $job = Start-PppoeGuard $script:Bridge -Name guard-lab
        try {
            (Get-Job -Name guard-lab).State | Should -Be 'Running'
            $job.Role | Should -Be 'guard'
            $first = & bash $script:Lab dial $script:Name
            $LASTEXITCODE | Should -Be 0
            $mac = MacOf $first
            $second = & bash $script:Lab redial $script:Name --timeout 5
            $LASTEXITCODE | Should -Be 0 -Because "the redial failed: $second"
            [double](($second | Select-String 'REDIAL_SECONDS=(\S+)').Matches[0].Groups[1].Value) | Should -BeLessThan 5
            $job.Guard.GhostsEnded | Should -Be 1
            (AcSessionsOf $mac).Count | Should -Be 1
            $job.Warning.Message -join "`n" | Should -Match "ghost guard: PADT sent to AC .* of client $mac"
            $frames = Receive-Job $job
            @($frames | Where-Object { $_.Summary -match 'PADI' -and $_.Direction -eq 'FromLan' }).Count | Should -BeGreaterThan 0
            @($frames | Where-Object { $_.Summary -match 'PADS' -and $_.Direction -eq 'FromAc' }).Count | Should -BeGreaterThan 0
            @($job.Sessions | Where-Object { $_.ClientMac.ToString() -eq $mac -and $_.State -eq 'Established' }).Count | Should -Be 1
            Stop-Job $job
            $job.State | Should -Be 'Stopped'
            (AcSessionsOf $mac).Count | Should -Be 1 -Because 'a guard ends no session when it stops'
        }
        finally { Remove-Job $job -Force }
    }
}
