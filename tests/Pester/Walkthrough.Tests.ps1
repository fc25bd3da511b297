# docs/walkthrough-pwsh.md: every block marked <!-- checked --> runs here, and each line the page
# shows (except "...") must appear in what the module prints now, so the page cannot drift.
BeforeDiscovery {
    $doc = Get-Content -Raw (Join-Path $PSScriptRoot '../../docs/walkthrough-pwsh.md')
    $pattern = '<!-- checked -->\s*```powershell\r?\n(?<code>.*?)```\s*```text\r?\n(?<text>.*?)```'
    $script:Blocks = foreach ($m in [regex]::Matches($doc, $pattern, 'Singleline')) {
        @{
            Command  = (($m.Groups['code'].Value -split '\r?\n') -match '^PS> ' -replace '^PS> ', '') -join "`n"
            Expected = @(($m.Groups['text'].Value -split '\r?\n') | ForEach-Object TrimEnd | Where-Object { $_ -and $_ -ne '...' })
        }
    }
}

BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
}

Describe 'docs/walkthrough-pwsh.md' {
    It 'has checked blocks' -TestCases @{ Count = $script:Blocks.Count } {
        $Count | Should -BeGreaterThan 5
    }

    It 'prints what the page shows for: <Command>' -ForEach $script:Blocks {
        # As at a prompt: a non-terminating error is shown and the rest of the block runs.
        $ErrorActionPreference = 'Continue'
        Push-Location $script:Root
        try {
            $output = Invoke-Expression $Command 6>&1 2>&1 | Out-String -Width 80
            # What if: lines go to the host, not a stream: run the block again in a child that records them.
            if ($Command -match '-WhatIf') {
                $pwsh = Join-Path $script:Root '.tools/pwsh/pwsh'
                if (-not (Test-Path $pwsh)) { $pwsh = (Get-Command pwsh).Source }
                $output += & $pwsh -NoProfile -NonInteractive -Command "Set-Location '$($script:Root)'; Import-Module ./out/PppoeProxy/PppoeProxy.psd1; $Command" 2>&1 | Out-String -Width 200
            }
        }
        finally { Pop-Location }
        $lines = @($output -split '\r?\n' | ForEach-Object TrimEnd)
        foreach ($line in $Expected) { $lines | Should -Contain $line -Because "the page shows '$line'" }
    }
}
