#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Build, test and package PppoeProxy.
.DESCRIPTION
    Tasks:
      Build   - dotnet build -c Release (engine, CLI, module, tests), then regenerate the module's MAML
                help (en-US/PppoeProxy.PowerShell.dll-Help.xml) from help/*.md.
      Help    - only the MAML regeneration.
      Test    - the xunit suite, then the Pester tests (tests/Pester) with the pinned Pester. Non-zero exit on any failure.
      Package - a module folder under out/PppoeProxy ready for $env:PSModulePath.
      Publish - a self-contained single-file `pppoeproxy` under out/bin (for routers without .NET).
      Demo    - the main job on the built-in default (see README).
    Without pwsh, run-tests.sh and demo.sh do the same with bash.
.EXAMPLE
    ./build.ps1 -Task Build, Test, Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Help', 'Test', 'Package', 'Publish', 'Demo')]
    [string[]] $Task = @('Build'),
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [string] $Runtime = 'linux-x64'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Native([string] $Command, [string[]] $Arguments) {
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Command $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# Our markdown-to-MAML generator lives in the test project (no platyPS needed); the same test
# checks the committed MAML is current when run without PPPOEPROXY_WRITE_HELP.
function Update-Help {
    $env:PPPOEPROXY_WRITE_HELP = '1'
    try {
        Invoke-Native dotnet @('test', 'tests/PppoeProxy.Tests', '-c', $Configuration, '--no-build', '-nologo',
            '--filter', 'FullyQualifiedName~CommittedMamlMatchesTheMarkdown')
    }
    finally { Remove-Item Env:PPPOEPROXY_WRITE_HELP }
    # The DLL's en-US copy came from the build before the regeneration.
    Copy-Item en-US/* "src/PppoeProxy.PowerShell/bin/$Configuration/net8.0/en-US/" -Force
}

foreach ($step in $Task) {
    switch ($step) {
        'Build' {
            Invoke-Native dotnet @('build', 'PppoeProxy.sln', '-c', $Configuration, '-nologo')
            Update-Help
        }
        'Help' {
            Update-Help
        }
        'Test' {
            Invoke-Native dotnet @('test', 'PppoeProxy.sln', '-c', $Configuration, '--no-build', '-nologo')
            # The pinned Pester (scripts/install-pwsh.sh puts it in .tools/modules), as run-tests.sh runs it.
            & "$PSScriptRoot/scripts/run-pester.ps1"
            if ($LASTEXITCODE -ne 0) { exit 1 }
        }
        'Package' {
            Invoke-Native dotnet @('build', 'PppoeProxy.sln', '-c', $Configuration, '-nologo')
            $out = Join-Path $PSScriptRoot 'out/PppoeProxy'
            if (Test-Path $out) { Remove-Item $out -Recurse -Force }
            New-Item -ItemType Directory -Path $out | Out-Null
            $bin = "src/PppoeProxy.PowerShell/bin/$Configuration/net8.0"
            Copy-Item "$bin/*.dll" $out
            Copy-Item "$bin/*.ps1xml" $out
            Copy-Item "$bin/en-US" $out -Recurse
            # The packaged manifest loads the DLL, formats and types beside it, not the repo's build output;
            # help is found in en-US beside the manifest either way.
            (Get-Content PppoeProxy.psd1 -Raw).Replace('src/PppoeProxy.PowerShell/bin/Release/net8.0/', '') |
                Set-Content (Join-Path $out 'PppoeProxy.psd1')
            Write-Host "Module folder: $out  (add $(Split-Path $out) to `$env:PSModulePath, then Import-Module PppoeProxy)"
        }
        'Publish' {
            Invoke-Native dotnet @('publish', 'src/PppoeProxy.Cli', '-c', $Configuration, '-r', $Runtime, '--self-contained',
                '-p:PublishSingleFile=true', '-o', 'out/bin', '-nologo')
            Write-Host "Executable: $(Join-Path $PSScriptRoot 'out/bin/pppoeproxy')"
        }
        'Demo' {
            Invoke-Native bash @('./demo.sh')
        }
    }
}
