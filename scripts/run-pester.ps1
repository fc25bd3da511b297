#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs tests/Pester with the pinned Pester from .tools/modules and writes its counts for run-tests.sh.
.DESCRIPTION
    Pester's own summary is not the "N passed, N failed" line CI reads, so the counts go to
    -CountsFile as "passed failed skipped". In CI (CI=true) as root a skipped test is a failure:
    every Pester test must run there.
#>
param(
    [string] $CountsFile,
    [string[]] $Path = @("$PSScriptRoot/../tests/Pester")
)
$ErrorActionPreference = 'Stop'
# Append, not replace: pwsh's own modules must stay visible.
$env:PSModulePath = "$PSScriptRoot/../.tools/modules" + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module Pester -RequiredVersion 5.7.1
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config
$skipped = $result.SkippedCount + $result.NotRunCount
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
$mustRunAll = $env:CI -eq 'true' -and (& id -u) -eq '0'
if ($mustRunAll -and $skipped -gt 0) {
    Write-Host "run-pester: $skipped Pester test(s) skipped in CI as root: counted as failures"
    $failed += $skipped
    $skipped = 0
}
Write-Host ("run-pester: passed={0} failed={1} skipped={2}" -f $result.PassedCount, $failed, $skipped)
if ($CountsFile) { "$($result.PassedCount) $failed $skipped" | Set-Content -Path $CountsFile }
exit ([int]($failed -gt 0))
