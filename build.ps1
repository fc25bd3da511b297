#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Build, test and package PppoeProxy.
.DESCRIPTION
    Tasks:
      Build   - dotnet build -c Release (engine, CLI, module, tests).
      Test    - the xunit suite; it runs the Pester tests itself when pwsh is on PATH. Non-zero exit on failure.
      Package - a module folder under out/PppoeProxy ready for $env:PSModulePath.
      Publish - a self-contained single-file `pppoeproxy` under out/bin (for routers without .NET).
      Demo    - the main job on the built-in default (see README).
    Without pwsh, run-tests.sh and demo.sh do the same with bash.
.EXAMPLE
    ./build.ps1 -Task Build, Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Publish', 'Demo')]
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

foreach ($step in $Task) {
    switch ($step) {
        'Build' {
            Invoke-Native dotnet @('build', 'PppoeProxy.sln', '-c', $Configuration, '-nologo')
        }
        'Test' {
            Invoke-Native bash @('./run-tests.sh')
        }
        'Package' {
            Invoke-Native dotnet @('build', 'PppoeProxy.sln', '-c', $Configuration, '-nologo')
            $out = Join-Path $PSScriptRoot 'out/PppoeProxy'
            if (Test-Path $out) { Remove-Item $out -Recurse -Force }
            New-Item -ItemType Directory -Path $out | Out-Null
            $bin = "src/PppoeProxy.PowerShell/bin/$Configuration/net8.0"
            Copy-Item "$bin/*.dll" $out
            Get-ChildItem $bin -Filter '*.ps1xml' -ErrorAction SilentlyContinue | Copy-Item -Destination $out
            Get-ChildItem $bin -Directory -ErrorAction SilentlyContinue | Where-Object Name -eq 'en-US' | Copy-Item -Destination $out -Recurse
            # The packaged manifest loads the DLL beside it, not the repo's build output.
            (Get-Content PppoeProxy.psd1 -Raw) -replace "src/PppoeProxy.PowerShell/bin/Release/net8.0/", '' |
                Set-Content (Join-Path $out 'PppoeProxy.psd1')
            Write-Host "Module folder: $out"
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
