# Get-PppoeFrame, Export-PppoeFrame and Find-PppoeServer.
BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
    $script:Sample = Join-Path $PSScriptRoot '../../samples/sample.pcap'
}

Describe 'Get-PppoeFrame' {
    It 'reads frames from a capture file' {
        $frames = Get-PppoeFrame -Path $script:Sample
        $frames.Count | Should -BeGreaterThan 4
        $frames[0] | Should -BeOfType ([PppoeProxy.PowerShell.PppoeFrameInfo])
        $frames.Code | Should -Contain 'PADI'
        $frames[0].Summary | Should -Not -BeNullOrEmpty
    }

    It 'stops after -Count frames' {
        @(Get-PppoeFrame -Path $script:Sample -Count 2).Count | Should -Be 2
    }

    It 'reports a missing interface' {
        $err = $null
        try { Get-PppoeFrame -Interface nosuch0 -Timeout 1 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeIn @('InterfaceNotFound,PppoeProxy.PowerShell.Commands.GetPppoeFrameCommand',
            'CapturePermissionDenied,PppoeProxy.PowerShell.Commands.GetPppoeFrameCommand')
    }

    It 'says how to find the right interface name' -Skip:((id -u) -ne 0) {
        Get-PppoeFrame -Interface nosuch0 -Count 1 -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InterfaceNotFound,*'
        "$($err[0])" | Should -Be "interface 'nosuch0' does not exist: check the name with 'ip link' (Tab after -Interface lists them)"
    }
}

Describe 'Get-PppoeFrame paths' {
    It 'expands wildcards, takes literal paths, and goes on past a bad file' {
        $dir = Join-Path $TestDrive 'frames'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Copy-Item $script:Sample (Join-Path $dir 'x[1].pcap')
        Set-Content -Path (Join-Path $dir 'bad.pcap') -Value 'nope'
        $one = @(Get-PppoeFrame -Path $script:Sample).Count
        @(Get-PppoeFrame -LiteralPath (Join-Path $dir 'x[1].pcap')).Count | Should -Be $one
        $all = Get-PppoeFrame -Path (Join-Path $dir '*.pcap') -ErrorAction SilentlyContinue -ErrorVariable errs
        @($all).Count | Should -Be $one
        $errs[0].FullyQualifiedErrorId | Should -Be 'BadCaptureFile,PppoeProxy.PowerShell.Commands.GetPppoeFrameCommand'
    }
}

Describe 'Export-PppoeFrame' {
    It 'writes no file when no frame is piped' {
        $out = Join-Path $TestDrive 'none.pcap'
        @() | Export-PppoeFrame -Path $out -WarningVariable warned -WarningAction SilentlyContinue
        Test-Path $out | Should -BeFalse
        $warned | Should -Not -BeNullOrEmpty
    }

    It 'refuses to replace a file with -NoClobber' {
        $out = Join-Path $TestDrive 'keep.pcap'
        Set-Content -Path $out -Value 'keep me'
        { Get-PppoeFrame -Path $script:Sample | Export-PppoeFrame -Path $out -NoClobber } |
            Should -Throw -ErrorId 'ExportFileExists,PppoeProxy.PowerShell.Commands.ExportPppoeFrameCommand'
        Get-Content $out | Should -Be 'keep me'
    }

    It 'says a missing directory with an export id' {
        { Get-PppoeFrame -Path $script:Sample | Export-PppoeFrame -Path (Join-Path $TestDrive 'no/such/dir.pcap') } |
            Should -Throw -ErrorId 'ExportDirectoryNotFound,PppoeProxy.PowerShell.Commands.ExportPppoeFrameCommand'
    }

    It 'says a directory -Path is a directory, not a permission problem' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'out.pcap')
        { Get-PppoeFrame -Path $script:Sample | Export-PppoeFrame -Path $dir.FullName } |
            Should -Throw -ErrorId 'ExportPathIsDirectory,PppoeProxy.PowerShell.Commands.ExportPppoeFrameCommand'
    }

    It 'writes deserialized frames (Import-Clixml) byte for byte' {
        $xml = Join-Path $TestDrive 'frames.xml'
        $out = Join-Path $TestDrive 'fromxml.pcap'
        $frames = Get-PppoeFrame -Path $script:Sample
        $frames | Export-Clixml -Path $xml
        Import-Clixml -Path $xml | Export-PppoeFrame -Path $out
        $again = Get-PppoeFrame -Path $out
        $again.Count | Should -Be $frames.Count
        $again.Summary | Should -Be $frames.Summary
        $again[3].Time | Should -Be $frames[3].Time
    }

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
        { Find-PppoeServer -Interface nosuch0 -Timeout 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InterfaceNotFound,PppoeProxy.PowerShell.Commands.FindPppoeServerCommand' -ExpectedMessage "*no such interface 'nosuch0'*"
    }

    It 'validates -Timeout' {
        { Find-PppoeServer -Interface lo -Timeout 0 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PppoeProxy.PowerShell.Commands.FindPppoeServerCommand'
    }
}
