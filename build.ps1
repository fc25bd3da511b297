#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Build, test and package PppoeProxy.
.DESCRIPTION
    Tasks:
      Build   - dotnet build -c Release (engine, CLI, module, tests); the build assembles the module
                folder out/PppoeProxy (MAML generated from help/*.md), then the committed
                en-US/PppoeProxy.PowerShell.dll-Help.xml is refreshed too.
      Help    - only the refresh of the committed MAML (after editing help/*.md).
      Test    - the xunit suite, then the Pester tests (tests/Pester) with the pinned Pester. Non-zero exit on any failure.
      Package - build, then Test-ModuleManifest the module folder out/PppoeProxy (ready for $env:PSModulePath).
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

# Markdown help to MAML with tools/PppoeProxy.HelpGen (no platyPS needed). The build writes the module
# folder's copy itself; this refreshes the committed en-US copy, which a test keeps in step with help/*.md.
function Update-Help {
    Invoke-Native dotnet @('run', '--project', 'tools/PppoeProxy.HelpGen', '-c', $Configuration, '--',
        'help', 'en-US/PppoeProxy.PowerShell.dll-Help.xml')
}

foreach ($step in $Task) {
    switch ($step) {
        'Build' {
            # The module project's AssembleModule target fills out/PppoeProxy (psd1, DLLs, formats, help).
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
            # A plain build assembles the folder; Package checks it is a valid module and says where it is.
            Invoke-Native dotnet @('build', 'PppoeProxy.sln', '-c', $Configuration, '-nologo')
            $out = Join-Path $PSScriptRoot 'out/PppoeProxy'
            Test-ModuleManifest (Join-Path $out 'PppoeProxy.psd1') | Out-Null
            Write-Host "Module folder: $out  (copy it onto `$env:PSModulePath, or Import-Module $out/PppoeProxy.psd1)"
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
