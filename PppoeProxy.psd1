@{
    # Imported from the repo after `dotnet build -c Release`; build.ps1 Package strips the build
    # output prefix below so the same manifest loads the files beside it in out/PppoeProxy.
    RootModule           = 'src/PppoeProxy.PowerShell/bin/Release/net8.0/PppoeProxy.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f3c8e-7d2a-4e51-9a6c-2f4b8d1e6a93'
    Author               = 'PppoeProxy developers'
    CompanyName          = 'PppoeProxy'
    Copyright            = '(c) PppoeProxy developers. MIT licence.'
    Description          = 'Tunnel PPPoE across networks over TLS and kill ghost PPPoE sessions with forged PADTs.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('src/PppoeProxy.PowerShell/bin/Release/net8.0/PppoeProxy.Format.ps1xml')
    TypesToProcess       = @('src/PppoeProxy.PowerShell/bin/Release/net8.0/PppoeProxy.Types.ps1xml')
    CmdletsToExport      = @(
        'Export-PppoeFrame'
        'Find-PppoeServer'
        'Get-PppoeFrame'
        'Get-PppoeSession'
        'New-PppoeProxyCertificate'
        'Send-PppoePadt'
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
            ReleaseNotes = 'First module release: proxy jobs, session finder, PADT sender, frame capture/export, PADI probe, certificates.'
        }
    }
}
