# Get-PppoeFrame, Export-PppoeFrame and Find-PppoeServer.
BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
    $script:Sample = Join-Path $PSScriptRoot '../../samples/sample.pcap'
}

Describe 'Get-PppoeFrame' {
    It 'reads frames from a capture file' {
        $frames = Get-PppoeFrame -Path $script:Sample
        $frames.Count | Should -BeGreaterThan 4
        $frames[0] | Should -BeOfType ([PppoeProxy.Engine.Protocol.PppoeFrame])
        $frames.Code | Should -Contain 'PADI'
        $frames[0].Summary | Should -Not -BeNullOrEmpty
    }

    It 'stops after -Count frames' {
        @(Get-PppoeFrame -Path $script:Sample -Count 2).Count | Should -Be 2
    }

    It 'reports a missing interface' {
        $err = $null
        try { Get-PppoeFrame -Interface nosuch0 -Timeout 1 } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeIn @('InterfaceNotFound,PppoeProxy.PowerShell.Commands.GetPppoeFrameCommand',
            'CapturePermissionDenied,PppoeProxy.PowerShell.Commands.GetPppoeFrameCommand')
    }
}

Describe 'Export-PppoeFrame' {
    It 'writes piped frames to a pcap that reads back the same' {
        $out = Join-Path $TestDrive 'copy.pcap'
        $frames = Get-PppoeFrame -Path $script:Sample
        $frames | Export-PppoeFrame -Path $out
        $again = Get-PppoeFrame -Path $out
        $again.Count | Should -Be $frames.Count
        $again.Summary | Should -Be $frames.Summary
    }

    It 'passes frames through with -PassThru and writes nothing with -WhatIf' {
        $out = Join-Path $TestDrive 'whatif.pcap'
        $passed = Get-PppoeFrame -Path $script:Sample -Count 3 | Export-PppoeFrame -Path $out -PassThru -WhatIf
        @($passed).Count | Should -Be 3
        Test-Path $out | Should -BeFalse
    }
}

Describe 'Find-PppoeServer' {
    It 'reports a missing interface as ObjectNotFound' {
        { Find-PppoeServer -Interface nosuch0 -Timeout 1 } |
            Should -Throw -ErrorId 'InterfaceNotFound,PppoeProxy.PowerShell.Commands.FindPppoeServerCommand'
    }

    It 'validates -Timeout' {
        { Find-PppoeServer -Interface lo -Timeout 0 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.FindPppoeServerCommand'
    }
}
