@{
    # Minimal until the module issue: the cmdlets arrive with it.
    RootModule        = 'src/PppoeProxy.PowerShell/bin/Release/net8.0/PppoeProxy.PowerShell.dll'
    ModuleVersion     = '0.1.0'
    GUID              = '5b0f3c8e-7d2a-4e51-9a6c-2f4b8d1e6a93'
    Author            = 'PppoeProxy developers'
    CompanyName       = 'PppoeProxy'
    Copyright         = '(c) PppoeProxy developers. MIT licence.'
    Description       = 'Tunnel PPPoE across networks over TLS and kill ghost PPPoE sessions with forged PADTs.'
    PowerShellVersion = '7.4'
    CompatiblePSEditions = @('Core')
    CmdletsToExport   = @()
    FunctionsToExport = @()
    AliasesToExport   = @()
    VariablesToExport = @()
    PrivateData       = @{
        PSData = @{
            Tags       = @('PPPoE', 'Network', 'Linux', 'NTT', 'FLETS', 'Tunnel')
        }
    }
}
