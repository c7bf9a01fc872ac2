# Presentation.Tests.ps1 - what a user sees: the format views through
# Out-String, objects through Export-Clixml/Import-Clixml (what remoting
# does), Get-Help of every command.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
    Import-Module $script:ModuleDir -Force -ErrorAction Stop

    Set-BwScenario @'
job {c3000000-0000-0000-0000-000000000001} name="Nightly build"
at 0 TRANSFERRING bytes=13107200/41943040 files=0/1
at 600000 TRANSFERRING bytes=41943040/41943040
job {c3000000-0000-0000-0000-000000000002} name="Drivers"
at 0 ERROR bytes=0/220200960 error=0x80190194 context=5 text="HTTP 404 Not Found" remote="http://example.invalid/drivers.cab"
job {c3000000-0000-0000-0000-000000000003}
at 0 QUEUED
'@
    $script:Status = @(Get-BitsJobStatus -SampleMs 0)
    $script:Commands = 'Get-BitsJobStatus', 'Watch-BitsJob', 'Wait-BitsJob'
}

Describe 'the format views' {
    It 'the default table shows name, state, "12.5 MB / 40 MB (31%)", rate, ETA and (given the width) the JobId' {
        $text = $script:Status | Out-String -Width 130
        $lines = $text -split "`r?`n"
        @($lines -match '^Job\s+State\s+Progress\s+Rate\s+ETA\s+JobId\s*$').Count | Should -Be 1
        $row = $lines | Where-Object { $_ -match ' c3000000-0000-0000-0000-000000000001$' }
        $row | Should -Match '^Nightly build\s+Transferring\s+12\.5 MB / 40 MB \(31%\)'
        $lines | Where-Object { $_ -match ' c3000000-0000-0000-0000-000000000002$' } | Should -Match '^Drivers\s+Error\s+0 B / 210 MB \(0%\)'
    }

    It 'shows rate and ETA as "1.2 MB/s" and "00:00:23" when they are known' {
        $s = $script:Status[0].PSObject.Copy()
        $s.BytesPerSecond = 1.2 * 1048576
        $s.Eta = [TimeSpan]::FromSeconds(23)
        $s | Out-String -Width 130 | Should -Match '1\.2 MB/s\s+00:00:23'
    }

    It 'the Errors table shows the error code in hex with its description' {
        $text = $script:Status | Format-Table -View Errors | Out-String -Width 160
        $text | Should -Match 'Drivers\s+Error\s+0x80190194\s+RemoteFile\s+HTTP 404 Not Found'
    }

    It 'the list view shows the error code in hex and the error''s URL' {
        $text = $script:Status[1] | Format-List | Out-String -Width 160
        $text | Should -Match 'ErrorCode\s+: 0x80190194'
        $text | Should -Match 'ErrorRemoteName\s+: http://example.invalid/drivers.cab'
    }

    It 'objects through Export-Clixml/Import-Clixml keep their view and BitsTransfer''s property names' {
        $file = Join-Path $TestDrive 'status.xml'
        $script:Status | Export-Clixml -LiteralPath $file
        $back = @(Import-Clixml -LiteralPath $file)
        $back[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.BitsWatch.JobStatus'
        $back | Out-String -Width 130 | Should -Match 'Nightly build\s+Transferring\s+12\.5 MB / 40 MB \(31%\)'
        $back[1] | Format-List | Out-String -Width 160 | Should -Match 'ErrorCode\s+: 0x80190194'
        $back[1].JobState | Should -Be 'Error'
        $back[1].InternalErrorCode | Should -Be ([int]0x80190194)
        $back[0].CreationTime | Should -BeOfType ([datetime])
        $back[2].DisplayName | Should -BeExactly $null
    }
}

Describe 'the format views at the edges' {
    It 'the default table reads well at 80 columns: Job, State, Progress, Rate and ETA whole, nothing cut, no line over 80' {
        $s = $script:Status[0].PSObject.Copy()
        $s.BytesPerSecond = 1.2 * 1048576
        $s.Eta = [TimeSpan]::FromSeconds(23)
        $text = @($s) + $script:Status[1..2] | Out-String -Width 80
        $lines = @($text -split "`r?`n" | ForEach-Object { $_.TrimEnd() } | Where-Object { $_ })
        foreach ($l in $lines) {
            $l.Length | Should -BeLessOrEqual 80 -Because "'$l' must fit"
        }
        $text | Should -Not -Match ([char]0x2026)      # no value cut short
        @($lines -match '^Job\s+State\s+Progress\s+Rate\s+ETA\s*$').Count | Should -Be 1
        $lines | Where-Object { $_ -match '^Nightly build ' } | Should -Match 'Nightly build\s+Transferring\s+12\.5 MB / 40 MB \(31%\)\s+1\.2 MB/s\s+00:00:23$'
        $lines | Where-Object { $_ -match '^Drivers ' } | Should -Match 'Drivers\s+Error\s+0 B / 210 MB \(0%\)$'
    }

    It 'the default table uses more columns when there are more: the JobId at 120' {
        $text = $script:Status | Out-String -Width 120
        $lines = $text -split "`r?`n"
        @($lines -match '^Job\s+State\s+Progress\s+Rate\s+ETA\s+JobId\s*$').Count | Should -Be 1
        $text | Should -Match 'Nightly build\s+Transferring\s+12\.5 MB / 40 MB \(31%\)\s+c3000000-0000-0000-0000-000000000001'
        $text | Should -Not -Match ([char]0x2026)
    }

    It 'ETAs over a day: "d.hh:mm:ss" in the table and in the progress bar''s status line, whole at 80 columns' {
        $s = $script:Status[0].PSObject.Copy()
        $s.BytesPerSecond = 10
        $s.Eta = [TimeSpan]::new(12, 3, 4, 5)
        $s | Out-String -Width 80 | Should -Match 'Transferring\s+12\.5 MB / 40 MB \(31%\)\s+10 B/s\s+12\.03:04:05'
        $line = & (Get-Module BitsWatch) { param($x) Format-BwStatusLine -JobStatus $x } $s
        $line | Should -Be 'Transferring: 12.5 MB / 40 MB (31%), 10 B/s, ETA 12.03:04:05'
        $s.Eta = [TimeSpan]::new(1, 0, 0, 0)
        $s | Out-String -Width 80 | Should -Match '10 B/s\s+1\.00:00:00'
    }

    It 'another culture (de-DE): decimal commas, the same columns, times as the culture writes them' {
        $saved = [System.Threading.Thread]::CurrentThread.CurrentCulture
        try {
            [System.Threading.Thread]::CurrentThread.CurrentCulture = [System.Globalization.CultureInfo]::GetCultureInfo('de-DE')
            $s = $script:Status[0].PSObject.Copy()
            $s.BytesPerSecond = 1.5 * 1048576
            $s.Eta = [TimeSpan]::new(1, 2, 3, 4)
            $text = $s | Out-String -Width 80
            $text | Should -Match 'Nightly build\s+Transferring\s+12,5 MB / 40 MB \(31%\)\s+1,5 MB/s\s+1\.02:03:04'
            $line = & (Get-Module BitsWatch) { param($x) Format-BwStatusLine -JobStatus $x } $s
            $line | Should -Be 'Transferring: 12,5 MB / 40 MB (31%), 1,5 MB/s, ETA 1.02:03:04'
            $list = $script:Status[0] | Format-List | Out-String -Width 160
            $list | Should -Match ('CreationTime\s+: ' + [regex]::Escape($script:Status[0].CreationTime.ToString('G', [System.Globalization.CultureInfo]::GetCultureInfo('de-DE'))))
            $list | Should -Match 'CreationTime\s+: \d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d'
        }
        finally {
            [System.Threading.Thread]::CurrentThread.CurrentCulture = $saved
        }
    }

    It 'a cancelled job with 0 of 0 bytes has no percent ("0 B / 0 B", not 100%); a transferred job has no ETA' {
        Set-BwScenario (@'
job {c3000000-0000-0000-0000-000000000004} name="Dropped"
at 0 QUEUED bytes=0/0
at 300 CANCELLED
job {c3000000-0000-0000-0000-000000000005} name="Done"
at 0 TRANSFERRING bytes=0/1000000
at 600 TRANSFERRED bytes=1000000/1000000
'@)
        $r = @(Wait-BitsJob -JobId 'c3000000-0000-0000-0000-000000000004', 'c3000000-0000-0000-0000-000000000005' -TimeoutSec 20)
        $r.State | Should -Be @('Cancelled', 'Transferred')
        $r[0].Percent | Should -BeExactly $null
        $r[1].Eta | Should -BeExactly $null
        $text = $r | Out-String -Width 120
        $text | Should -Match 'Dropped\s+Cancelled\s+0 B / 0 B\s'
        $text | Should -Not -Match '0 B / 0 B \(100%\)'
        $text | Should -Not -Match '00:00:00'
    }

    It 'a job without an error: no "ErrorCode : 0x00000000" in the list, no context "None" in the Errors view' {
        $s = $script:Status[2]
        $s.ErrorCode | Should -Be 0
        $s.ErrorContext | Should -BeExactly $null
        $list = $s | Format-List | Out-String -Width 160
        $list | Should -Not -Match '0x00000000'
        $list | Should -Match 'ErrorCode\s+:\s*\r?\n'
        $errors = $script:Status | Format-Table -View Errors | Out-String -Width 160
        $errors | Should -Not -Match '\bNone\b'
        $errors | Should -Match 'Drivers\s+Error\s+0x80190194\s+RemoteFile'
    }
}

Describe 'the manifest and the help' {
    It 'has this release''s notes, and no made-up ProjectUri or LicenseUri (the project has no public address yet)' {
        $m = Import-PowerShellDataFile -LiteralPath (Join-Path $script:ModuleDir 'BitsWatch.psd1')
        $d = $m.PrivateData.PSData
        $d.ReleaseNotes | Should -Match ('^' + [regex]::Escape($m.ModuleVersion) + ':')
        $d.ReleaseNotes | Should -Match '-Force'
        $d.Keys | Should -Not -Contain 'ProjectUri'
        $d.Keys | Should -Not -Contain 'LicenseUri'
    }

    It '<_> has .LINK entries: the other commands and Get-BitsTransfer' -ForEach @('Get-BitsJobStatus', 'Watch-BitsJob', 'Wait-BitsJob') {
        $links = @((Get-Help $_ -Full).relatedLinks.navigationLink | ForEach-Object { '{0}{1}' -f $_.linkText, $_.uri })
        $others = @('Get-BitsJobStatus', 'Watch-BitsJob', 'Wait-BitsJob') -ne $_
        foreach ($o in $others + 'Get-BitsTransfer') {
            ($links -match [regex]::Escape($o)).Count | Should -BeGreaterThan 0 -Because "$_ links to $o"
        }
    }
}

Describe 'Get-Help <command>' {
    It '<_> has a synopsis, a description and at least two examples' -ForEach @('Get-BitsJobStatus', 'Watch-BitsJob', 'Wait-BitsJob') {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\w+-\w+ \['    # not the generated syntax line
        ($help.Description | Out-String) | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }

    It '<_> documents every parameter' -ForEach @('Get-BitsJobStatus', 'Watch-BitsJob', 'Wait-BitsJob') {
        $command = Get-Command $_
        $help = Get-Help $_ -Full
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($name in $command.Parameters.Keys | Where-Object { $common -notcontains $_ }) {
            $p = @($help.Parameters.Parameter | Where-Object Name -eq $name)
            $p.Count | Should -Be 1 -Because "-$name needs a .PARAMETER entry"
            ($p[0].Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
    }

    It 'names the BITSWATCH_NATIVE_LIBRARY override and how results go back to BitsTransfer''s cmdlets' {
        $text = Get-Help Get-BitsJobStatus -Full | Out-String -Width 200
        $text | Should -Match 'BITSWATCH_NATIVE_LIBRARY'
        $text | Should -Match 'Get-BitsTransfer -JobId \$_\.JobId \} \| Complete-BitsTransfer'
    }
}

Describe 'parameter sets' {
    It 'Get-BitsJobStatus has the sets List (default), ById and BitsJob' {
        $c = Get-Command Get-BitsJobStatus
        $c.DefaultParameterSet | Should -Be 'List'
        @($c.ParameterSets.Name | Sort-Object) | Should -Be @('BitsJob', 'ById', 'List')
    }

    It '<_> has the sets ById (default), BitsJob, All and Name, and ShouldProcess' -ForEach @('Watch-BitsJob', 'Wait-BitsJob') {
        $c = Get-Command $_
        $c.DefaultParameterSet | Should -Be 'ById'
        @($c.ParameterSets.Name | Sort-Object) | Should -Be @('All', 'BitsJob', 'ById', 'Name')
        $c.Parameters.Keys | Should -Contain 'WhatIf'
        $c.Parameters.Keys | Should -Contain 'Confirm'
        $c.Parameters['AllUsers'].ParameterSets.Keys | Sort-Object | Should -Be @('All', 'Name')
    }

    It 'validates -IntervalMs (50..200) and -TimeoutSec (>= 0)' {
        { Wait-BitsJob -JobId ([Guid]::NewGuid()) -IntervalMs 10 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Wait-BitsJob'
        { Watch-BitsJob -JobId ([Guid]::NewGuid()) -TimeoutSec -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Watch-BitsJob'
        { Get-BitsJobStatus -JobId 'not a guid' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Get-BitsJobStatus'
    }
}
