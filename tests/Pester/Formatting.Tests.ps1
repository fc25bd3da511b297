# How the module's objects look: tables at 80 and 120 columns, lists, JSON and CSV.
BeforeAll {
    Import-Module $PSScriptRoot/../../out/PppoeProxy/PppoeProxy.psd1 -Force
    $script:Sample = Join-Path $PSScriptRoot '../../samples/sample.pcap'

    function script:Get-WidestLine([string] $text) {
        ($text -split "`r?`n" | ForEach-Object Length | Measure-Object -Maximum).Maximum
    }

    $drops = [System.Collections.Generic.Dictionary[string, long]]::new()
    $drops['ring'] = 2
    $counters = [PppoeProxy.Engine.Tunnel.TunnelCountersSnapshot]::new(12, 3400, 56, 7800, $drops)
    $peer = [PppoeProxy.Engine.Tunnel.PeerStatus]::new(1, 'branch-office-1', $null, [DateTimeOffset]::Now, $true, $counters,
        [System.Collections.Generic.List[string]]@('02:00:5e:10:00:01', '02:00:5e:10:00:02'))
    $script:Status = [PppoeProxy.Engine.Tunnel.ProxyStatus]::new('server', 'eth1', '127.0.0.1:4789', 'tls', 'transparent',
        [System.Collections.Generic.List[PppoeProxy.Engine.Tunnel.PeerStatus]]@($peer),
        [System.Collections.Generic.List[PppoeProxy.Engine.Sessions.PppoeSession]]::new(), $counters,
        [System.Collections.Generic.List[string]]@('02:00:5e:10:00:03'))
    $script:Objects = [ordered]@{
        frames       = @(Get-PppoeFrame -Path $script:Sample)
        sessions     = @(Get-PppoeSession -Path $script:Sample)
        certificate  = @([PppoeProxy.PowerShell.ProxyCertificate]::new(('ab' * 32), '/etc/pppoeproxy/server.crt', '/etc/pppoeproxy/server.key'))
        counters     = @($counters)
        peers        = @($peer)
        proxystatus  = @($script:Status)
    }
}

Describe 'Views' {
    It 'shows <_> within 80 columns' -ForEach @('frames', 'sessions', 'certificate', 'counters', 'peers', 'proxystatus') {
        $text = $script:Objects[$_] | Out-String -Width 80
        Get-WidestLine $text | Should -BeLessOrEqual 80
        $text | Should -Not -Match 'System\.Collections|`1\['
    }

    It 'keeps the frame Summary readable at 80 columns, one line per frame' {
        $text = $script:Objects.frames | Out-String -Width 80
        $header = ($text -split "`n" | Where-Object { $_ -match '\bSummary\b' } | Select-Object -First 1)
        # The Summary starts with the code (PADI ..., LCP ...), so no Code column takes its room.
        80 - $header.IndexOf('Summary') | Should -BeGreaterOrEqual 24
        $rows = @($text -split "`n" | Where-Object { $_ -match '^\d\d:\d\d:\d\d\.\d{3} ' })
        $rows.Count | Should -Be $script:Objects.frames.Count
        @($text -split "`n" | Where-Object { $_ -match '^\s{20,}\S' }).Count | Should -Be 0   # no wrapped continuation lines
        $text | Should -Match '6699 \S+ +\S+ +LCP Configure-Req'
    }

    It 'shows short summaries whole at 120 columns and cuts long ones on their own line' {
        $text = $script:Objects.frames | Out-String -Width 120
        $text | Should -Match 'LCP Configure-Request id=1'
        $text | Should -Match 'PADI Service-Name=internet Host-Uniq=<4 bytes>'
        $rows = @($text -split "`n" | Where-Object { $_ -match '^\d\d:\d\d:\d\d\.\d{3} ' })
        $rows.Count | Should -Be $script:Objects.frames.Count
    }

    It 'lists sessions with their idle time and a named group for files' {
        $text = $script:Objects.sessions | Out-String -Width 80
        $text | Should -Match 'Interface: \(capture file\)'
        $text | Should -Match 'ClientIdle'
    }

    It 'shows proxy status members as text, not type names' {
        $text = $script:Status | Out-String -Width 80
        $text | Should -Match 'Peers\s+: branch-office-1 \(connected\)'
        $text | Should -Match 'HeldClientMacs\s+: 02:00:5e:10:00:03'
        $text | Should -Match 'SessionBudget\s+: unlimited'
    }

    It 'gives the job type Get-Job''s own columns, for every job type' {
        # A proxy job listed first must not turn the other jobs into lists (the lab test shows the table).
        $view = (Get-FormatData -TypeName 'PppoeProxy.PowerShell.Jobs.PppoeProxyJob').FormatViewDefinition[0]
        $view.Control.Headers.Label | Should -Be @('Id', 'Name', 'PSJobTypeName', 'State', 'HasMoreData', 'Location', 'Command')
        $threadJob = Start-ThreadJob { 1 }
        try { ($threadJob | Out-String -Width 120) | Should -Match '(?m)^Id\s+Name\s+PSJobTypeName' }
        finally { $threadJob | Remove-Job -Force }
    }
}

Describe 'JSON and CSV' {
    It 'writes session MACs as strings, states as names and VLANs as an array' {
        $json = $script:Objects.sessions | ConvertTo-Json -Depth 3
        $json | Should -Match '"ClientMac":\s*"02:00:5e:10:00:01"'
        $json | Should -Match '"State":\s*"Established"'
        $json | Should -Match '"RoleConfidence":\s*"Certain"'
        $json | Should -Match '"VlanIds":\s*\[\]'
        $json | Should -Not -Match '"Ticks"'
        $json | Should -Match '"FirstSeen":\s*"2025-11-21T'
    }

    It 'writes frame MACs and tags as text, and the bytes as hex' {
        $json = $script:Objects.frames[1] | ConvertTo-Json -Depth 4
        $json | Should -Match '"Source":\s*"00:1b:21:aa:00:01"'
        $json | Should -Match '"Hex":\s*"[0-9a-f]+"'
        $json | Should -Match '"Name":\s*"AC-Name"'
        $csv = $script:Objects.frames | ConvertTo-Csv | Out-String
        $csv | Should -Not -Match 'System\.'
        $csv | Should -Match 'AC-Name=BRAS01-TOKYO'
    }

    It 'exports frames read back from CSV byte for byte' {
        $csvPath = Join-Path $TestDrive 'frames.csv'
        $pcap = Join-Path $TestDrive 'fromcsv.pcap'
        $script:Objects.frames | Export-Csv -Path $csvPath
        Import-Csv -Path $csvPath | Export-PppoeFrame -Path $pcap
        $again = Get-PppoeFrame -Path $pcap
        $again.Hex | Should -Be $script:Objects.frames.Hex
        # Export-Csv writes Time to the second; the round trip keeps the capture's sub-second timing.
        $again.TimeUtc | Should -Be $script:Objects.frames.TimeUtc
    }

    It 'writes no type names into CSV' {
        $csv = $script:Objects.sessions | ConvertTo-Csv | Out-String
        $csv | Should -Not -Match 'System\.'
        $csv | Should -Match '02:00:5e:10:00:02'
    }

    It 'writes VLAN ids as text in CSV and keeps them bindable' {
        $tagged = [PppoeProxy.PowerShell.VlanIdList]::new([int[]](100, 10))
        $tagged.ToString() | Should -Be '100.10'
        ([pscustomobject]@{ VlanIds = $tagged } | ConvertTo-Csv)[1] | Should -Be '"100.10"'
        [int[]] $ids = $tagged
        $ids | Should -Be @(100, 10)
    }

    It 'binds sessions read back from JSON to Send-PppoePadt' {
        $again = $script:Objects.sessions | ConvertTo-Json | ConvertFrom-Json
        { $again | Send-PppoePadt -Interface lo -WhatIf -ErrorAction Stop } | Should -Not -Throw
    }
}

Describe 'Proxy job Statistics and Peers' {
    It 'is the end''s totals as the engine (and pppoeproxy status) gives them, tunnels not added twice' {
        $stats = [PppoeProxy.PowerShell.ProxyStatistics]::new($script:Status)
        # The engine's status counters already include every tunnel (12/3400/56/7800, 2 ring drops here);
        # adding the fixture's one peer on top would read 24/6800/112/15600.
        $stats.FramesToTunnel | Should -Be 12
        $stats.BytesFromTunnel | Should -Be 7800
        $stats.TotalDrops | Should -Be 2
        $stats.Drops | Should -Be 'ring=2'
    }

    It 'writes Statistics and Peers to CSV and JSON as values, not type names' {
        $stats = [PppoeProxy.PowerShell.ProxyStatistics]::new($script:Status)
        $peer = [PppoeProxy.PowerShell.ProxyPeerInfo]::new($script:Status.Peers[0])
        foreach ($object in $stats, $peer) {
            ($object | ConvertTo-Csv | Out-String) | Should -Not -Match 'System\.|`1\['
            ($object | Format-List * | Out-String -Width 120) | Should -Not -Match 'System\.|`1\['
        }
        ($peer | ConvertTo-Csv)[1] | Should -Match '"02:00:5e:10:00:01,02:00:5e:10:00:02"'
        ($peer | ConvertTo-Json) | Should -Match '"FramesToTunnel":\s*12'
        ($stats | ConvertTo-Json) | Should -Match '"Drops":\s*"ring=2"'
    }

    It 'shows job Peers and Statistics within 80 columns' {
        $text = @([PppoeProxy.PowerShell.ProxyPeerInfo]::new($script:Status.Peers[0]), [PppoeProxy.PowerShell.ProxyStatistics]::new($script:Status)) |
            ForEach-Object { $_ | Out-String -Width 80 }
        Get-WidestLine ($text -join "`n") | Should -BeLessOrEqual 80
        $text[0] | Should -Match 'branch-office-1\s+True\s+\d\d:\d\d\s+12\s+56\s+02:00:5e:10:00:01'
        $text[1] | Should -Match '12\s+3400\s+56\s+7800\s+ring=2'
    }
}

Describe 'Proxy job ProxyStatus' {
    BeforeAll {
        $sample = (Resolve-Path $script:Sample).Path
        $sessions = [PppoeProxy.Engine.Operations.SessionFinding]::FromFile($sample, $null, [Threading.CancellationToken]::None)
        $engine = [PppoeProxy.Engine.Tunnel.ProxyStatus]::new('server', 'eth1', '127.0.0.1:4789', 'tls', 'transparent',
            $script:Status.Peers, [System.Collections.Generic.List[PppoeProxy.Engine.Sessions.PppoeSession]]$sessions, $script:Status.Counters,
            $script:Status.HeldClientMacs)
        $script:Info = [PppoeProxy.PowerShell.ProxyStatusInfo]::new($engine)
    }

    It 'writes sessions in JSON as Get-PppoeSession does: MACs as text, states as names' {
        $json = $script:Info | ConvertTo-Json -Depth 4
        $json | Should -Match '"ClientMac":\s*"02:00:5e:10:00:01"'
        $json | Should -Match '"State":\s*"Established"'
        $json | Should -Not -Match '"IsBroadcast"'
    }

    It 'writes no type names into CSV or Format-List' {
        ($script:Info | ConvertTo-Csv | Out-String) | Should -Not -Match 'System\.|`1\['
        ($script:Info | Format-List * | Out-String -Width 120) | Should -Not -Match 'System\.|`1\['
        ($script:Info | ConvertTo-Csv)[1] | Should -Match 'branch-office-1'
    }

    It 'keeps the ProxyStatus list view within 80 columns' {
        $text = $script:Info | Out-String -Width 80
        Get-WidestLine $text | Should -BeLessOrEqual 80
        $text | Should -Match 'Sessions\s+: sid 6699 Established'
    }
}
