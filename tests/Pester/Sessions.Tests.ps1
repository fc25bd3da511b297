# Get-PppoeSession and Send-PppoePadt against the shipped sample capture.
BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
    $script:Sample = Join-Path $PSScriptRoot '../../samples/sample.pcap'
}

Describe 'Get-PppoeSession' {
    It 'reads sessions from a capture file' {
        $sessions = Get-PppoeSession -Path $script:Sample
        $sessions.Count | Should -BeGreaterOrEqual 2
        $sessions[0] | Should -BeOfType ([PppoeProxy.Engine.Sessions.PppoeSession])
        $sessions[0].SessionId | Should -BeGreaterThan 0
    }

    It 'filters sessions with Where-Object' {
        $certain = Get-PppoeSession -Path $script:Sample | Where-Object RoleConfidence -eq 'Certain'
        $certain | Should -Not -BeNullOrEmpty
        $certain | ForEach-Object { $_.RoleConfidence | Should -Be 'Certain' }
    }

    It 'reports a missing file as a validation error' {
        { Get-PppoeSession -Path ./no-such.pcap } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.GetPppoeSessionCommand'
    }

    It 'reports a bad capture file as InvalidData' {
        $bad = Join-Path $TestDrive 'bad.pcap'
        Set-Content -Path $bad -Value 'this is not a capture'
        { Get-PppoeSession -Path $bad } |
            Should -Throw -ErrorId 'BadCaptureFile,PppoeProxy.PowerShell.Commands.GetPppoeSessionCommand'
    }

    It 'reports a missing interface as ObjectNotFound' {
        $err = $null
        try { Get-PppoeSession -Interface nosuch0 -Timeout 1 } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeIn @('InterfaceNotFound,PppoeProxy.PowerShell.Commands.GetPppoeSessionCommand',
            'CapturePermissionDenied,PppoeProxy.PowerShell.Commands.GetPppoeSessionCommand')
    }
}

Describe 'Send-PppoePadt' {
    It 'binds piped sessions by property name and sends nothing with -WhatIf' {
        $sessions = Get-PppoeSession -Path $script:Sample
        $sent = $sessions | Send-PppoePadt -Interface lo -WhatIf -PassThru
        $sent | Should -BeNullOrEmpty
    }

    It 'says what it would do for each piped session' {
        $sessions = @(Get-PppoeSession -Path $script:Sample)
        # -WhatIf writes to the host; -Verbose would show sends. Nothing is sent, no error is raised.
        { $sessions | Send-PppoePadt -Interface lo -WhatIf -ErrorAction Stop } | Should -Not -Throw
    }

    It 'declares High impact and ShouldProcess' {
        $meta = [System.Management.Automation.CommandMetadata]::new((Get-Command Send-PppoePadt))
        $meta.SupportsShouldProcess | Should -BeTrue
        $meta.ConfirmImpact | Should -Be 'High'
        (Get-Command Send-PppoePadt).Parameters['VlanId'].Aliases | Should -Contain 'VlanIds'
    }

    It 'rejects a bad MAC address' {
        { Send-PppoePadt -Interface lo -SessionId 1 -ClientMac 'nope' -ServerMac 02:00:00:00:00:02 -WhatIf } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.SendPppoePadtCommand'
    }

    It 'rejects session id <_>' -ForEach @(0, 65535) {
        { Send-PppoePadt -Interface lo -SessionId $_ -ClientMac 02:00:00:00:00:01 -ServerMac 02:00:00:00:00:02 -WhatIf } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.SendPppoePadtCommand'
    }

    It 'writes an error with an id when sending fails' {
        { Send-PppoePadt -Interface nosuch0 -SessionId 1 -ClientMac 02:00:00:00:00:01 -ServerMac 02:00:00:00:00:02 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*nosuch0*'
    }
}
