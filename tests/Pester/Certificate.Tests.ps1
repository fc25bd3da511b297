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

    It 'shows its properties under the names the Start- cmdlets take them by' {
        # The view said "Certificate" and "Key": $id.Certificate is $null, so -CertificatePath $id.Certificate failed.
        $id = New-PppoeProxyCertificate -Path (Join-Path $TestDrive 'shown')
        $shown = @(($id | Out-String) -split '\r?\n' | Where-Object { $_ -match '^\S+\s+:' } | ForEach-Object { ($_ -split '\s+:')[0] })
        $shown | Should -Be @('Fingerprint', 'CertificatePath', 'KeyPath')
        foreach ($name in $shown) { $id.$name | Should -Not -BeNullOrEmpty }
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

    It 'says a -Path it cannot write is a permission problem, not a configuration error' {
        $locked = New-Item -ItemType Directory (Join-Path $TestDrive 'locked')
        chmod 555 $locked.FullName
        $target = Join-Path $locked.FullName 'server'
        if ((id -u) -eq 0) {
            # root writes anywhere: ask as nobody, the way an admin who forgot sudo would.
            $pwsh = Join-Path $PSScriptRoot '../../.tools/pwsh/pwsh'
            if (-not (Test-Path $pwsh)) { $pwsh = (Get-Command pwsh).Source }
            chmod 755 $TestDrive
            $manifest = (Resolve-Path "$PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1").Path
            $said = & setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp $pwsh -NoProfile -NonInteractive -Command `
                "Import-Module '$manifest'; New-PppoeProxyCertificate -Path '$target' -ErrorAction SilentlyContinue -ErrorVariable e; `$e[0].FullyQualifiedErrorId; `$e[0].CategoryInfo.Category; `$e[0].ErrorDetails.Message"
            $id, $category, $message = $said
        }
        else {
            New-PppoeProxyCertificate -Path $target -ErrorAction SilentlyContinue -ErrorVariable e
            $id, $category, $message = $e[0].FullyQualifiedErrorId, "$($e[0].CategoryInfo.Category)", $e[0].ErrorDetails.Message
        }
        $id | Should -Be 'CertificateAccessDenied,PppoeProxy.PowerShell.Commands.NewPppoeProxyCertificateCommand'
        $category | Should -Be 'PermissionDenied'
        $message | Should -Match 'permission denied .*choose a -Path you can write to'
    }
}
