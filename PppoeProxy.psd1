@{
    # Every path names a file BESIDE this manifest: `dotnet build` assembles them all in out/PppoeProxy
    # (Import-Module ./out/PppoeProxy/PppoeProxy.psd1, or copy that folder onto $env:PSModulePath).
    RootModule           = 'PppoeProxy.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f3c8e-7d2a-4e51-9a6c-2f4b8d1e6a93'
    Author               = 'PppoeProxy developers'
    CompanyName          = 'PppoeProxy'
    Copyright            = '(c) PppoeProxy developers. MIT licence.'
    Description          = 'Tunnel PPPoE across networks over TLS and kill ghost PPPoE sessions with forged PADTs.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('PppoeProxy.Format.ps1xml')
    TypesToProcess       = @('PppoeProxy.Types.ps1xml')
    CmdletsToExport      = @(
        'Export-PppoeFrame'
        'Find-PppoeServer'
        'Get-PppoeFrame'
        'Get-PppoeSession'
        'New-PppoeProxyCertificate'
        'Send-PppoePadt'
        'Start-PppoeGuard'
        'Start-PppoeProxyClient'
        'Start-PppoeProxyServer'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('PPPoE', 'Network', 'Linux', 'NTT', 'FLETS', 'Tunnel', 'PADT')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            # No public home yet: the docs are README.md and docs/ in the repo, help is Get-Help (en-US/
            # beside this file). When the repo is published, set ProjectUri to it and HelpInfoURI
            # (top level) to where updatable help is served.
            # ProjectUri = 'https://github.com/OWNER/PppoeProxy'
            ReleaseNotes = 'First module release: proxy jobs, session finder, PADT sender, frame capture/export, PADI probe, certificates.'
        }
    }
}
