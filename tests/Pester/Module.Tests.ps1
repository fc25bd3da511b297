# The module as a whole: manifest, exports, help, formats. Needs `dotnet build -c Release` first.
BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
    $script:Cmdlets = @('Export-PppoeFrame', 'Find-PppoeServer', 'Get-PppoeFrame', 'Get-PppoeSession',
        'New-PppoeProxyCertificate', 'Send-PppoePadt', 'Start-PppoeGuard', 'Start-PppoeProxyClient', 'Start-PppoeProxyServer')
}

Describe 'PppoeProxy module' {
    It 'exports exactly the cmdlets' {
        (Get-Command -Module PppoeProxy).Name | Sort-Object | Should -Be $script:Cmdlets
    }

    It 'has help with at least two examples for <_>' -ForEach @('Export-PppoeFrame', 'Find-PppoeServer', 'Get-PppoeFrame',
        'Get-PppoeSession', 'New-PppoeProxyCertificate', 'Send-PppoePadt', 'Start-PppoeGuard', 'Start-PppoeProxyClient', 'Start-PppoeProxyServer') {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }

    It 'gives <_> an online help link' -ForEach @('Export-PppoeFrame', 'Find-PppoeServer', 'Get-PppoeFrame',
        'Get-PppoeSession', 'New-PppoeProxyCertificate', 'Send-PppoePadt', 'Start-PppoeGuard', 'Start-PppoeProxyClient', 'Start-PppoeProxyServer') {
        (Get-Command $_).HelpUri | Should -Match "^https://.*/help/$_\.md$"
    }

    It 'says in help and metadata that <_> -Path takes wildcards' -ForEach @('Get-PppoeFrame', 'Get-PppoeSession') {
        (Get-Help $_ -Parameter Path).globbing | Should -Be 'true'
        (Get-Command $_).Parameters['Path'].Attributes.Where({ $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count | Should -Be 1
    }

    It 'ships about_PppoeProxy' {
        Get-Help about_PppoeProxy | Out-String | Should -Match 'macvlan'
    }

    It 'completes -Interface from /sys/class/net' {
        $result = TabExpansion2 -inputScript 'Get-PppoeFrame -Interface l' -cursorColumn 'Get-PppoeFrame -Interface l'.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'lo'
    }

    It 'formats frames as a table that fits 120 columns' {
        $text = Get-PppoeFrame -Path $PSScriptRoot/../../samples/sample.pcap | Format-Table | Out-String -Width 120
        $text | Should -Match 'Summary'
        $text | Should -Match 'PADI'
    }
}
