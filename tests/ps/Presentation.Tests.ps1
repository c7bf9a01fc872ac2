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
    It 'the default table shows JobId, name, state and "12.5 MB / 40 MB (31%)"' {
        $text = $script:Status | Out-String -Width 130
        $lines = $text -split "`r?`n"
        @($lines -match '^JobId\s+Job\s+State\s+Progress\s+Rate\s+ETA\s*$').Count | Should -Be 1
        $row = $lines | Where-Object { $_ -match '^c3000000-0000-0000-0000-000000000001 ' }
        $row | Should -Match 'Nightly build\s+Transferring\s+12\.5 MB / 40 MB \(31%\)'
        $lines | Where-Object { $_ -match '^c3000000-0000-0000-0000-000000000002 ' } | Should -Match 'Drivers\s+Error\s+0 B / 210 MB \(0%\)'
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

    It 'validates -IntervalMs (50..60000) and -TimeoutSec (>= 0)' {
        { Wait-BitsJob -JobId ([Guid]::NewGuid()) -IntervalMs 10 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Wait-BitsJob'
        { Watch-BitsJob -JobId ([Guid]::NewGuid()) -TimeoutSec -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Watch-BitsJob'
        { Get-BitsJobStatus -JobId 'not a guid' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Get-BitsJobStatus'
    }
}
