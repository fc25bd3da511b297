BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
}

Describe 'New-PppoeProxyCertificate' {
    It 'writes a key and a certificate and returns the fingerprint' {
        $id = New-PppoeProxyCertificate -Path (Join-Path $TestDrive 'server')
        $id.Fingerprint | Should -Match '^[0-9a-f:]{64,95}$'
        Test-Path $id.CertificatePath | Should -BeTrue
        Test-Path $id.KeyPath | Should -BeTrue
        ($id | Format-Table | Out-String) | Should -Match 'Fingerprint'
    }

    It 'never overwrites an identity' {
        $path = Join-Path $TestDrive 'twice'
        New-PppoeProxyCertificate -Path $path | Out-Null
        { New-PppoeProxyCertificate -Path $path -ErrorAction Stop } |
            Should -Throw -ErrorId 'CertificateFileExists,PppoeProxy.PowerShell.Commands.NewPppoeProxyCertificateCommand'
    }

    It 'reports an existing identity as a non-terminating error that -ErrorAction silences' {
        $path = Join-Path $TestDrive 'quiet'
        New-PppoeProxyCertificate -Path $path | Out-Null
        $result = New-PppoeProxyCertificate -Path $path -ErrorAction SilentlyContinue -ErrorVariable errs
        $result | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -Be 'CertificateFileExists,PppoeProxy.PowerShell.Commands.NewPppoeProxyCertificateCommand'
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif'
        New-PppoeProxyCertificate -Path $path -WhatIf
        Test-Path "$path.crt" | Should -BeFalse
    }
}
