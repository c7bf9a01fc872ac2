# Fleet.Tests.ps1 - the -Session commands over real PowerShell remoting: SSH
# to "machines" on 127.0.0.1 (tests/remoting/run.sh starts one sshd per
# machine with tests/remoting/machines.sh and names their folder in
# BW_FLEET_DIR). Each machine runs pwsh -sshs with its own simulator scenario
# (BITSWATCH_SIM_SCENARIO) and PSModulePath:
#   web1, web2, web3  BitsWatch of this tree (web1 with admin rights)
#   nomod             no BitsWatch
#   old               BitsWatch 0.1.0
#   dead              a closed port
# Sessions are named after the machine (ssh's HostName option takes them to
# 127.0.0.1), so PSComputerName tells the machines apart.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath '../ps/TestHelpers.ps1')
    # This release's version, as the machines' copies of the module have it.
    $script:V = [string](Import-PowerShellDataFile -LiteralPath (Join-Path -Path $script:SourceDir -ChildPath 'BitsWatch.psd1')).ModuleVersion
    Import-Module $script:ModuleDir -Force -ErrorAction Stop
    Set-BwScenario ''

    $script:FleetDir = $env:BW_FLEET_DIR
    if (-not $script:FleetDir -or -not (Test-Path -LiteralPath (Join-Path $script:FleetDir 'machines.csv'))) {
        throw 'BW_FLEET_DIR names no machines (run tests/remoting/run.sh)'
    }
    $script:Machines = @{}
    foreach ($m in Import-Csv -LiteralPath (Join-Path $script:FleetDir 'machines.csv')) {
        $script:Machines[$m.name] = $m
    }
    $script:UserName = [Environment]::UserName
    $script:Key = Join-Path $script:FleetDir 'keys/user_ed25519'

    function Get-BwConnection {
        # New-PSSession's parameters for MACHINE.
        param([string] $Name)
        @{
            HostName    = $Name
            Port        = [int]$script:Machines[$Name].port
            UserName    = $script:UserName
            KeyFilePath = $script:Key
            Options     = @{ HostName = '127.0.0.1'; StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
        }
    }

    function New-BwFleetSession {
        [CmdletBinding()]
        param([string[]] $Name)
        foreach ($n in $Name) {
            $c = Get-BwConnection $n
            New-PSSession @c
        }
    }

    function Set-BwMachineScenario {
        # The machine's scenario file (its simulator reloads it on its next call).
        param([string] $Name, [string] $Text)
        Set-BwScenario -Text $Text -Path $script:Machines[$Name].scenario
    }

    function Get-BwRemoteOpenCount {
        # Job and queue handles the module has open on the session's machine.
        param($Session)
        # The counts are internal to the module's assembly (no test surface in
        # what users load): read by reflection, as TestHelpers' Get-BwTestCounter.
        # The assembly is looked up in the process (the module may have been
        # imported by another runspace of that machine's session process).
        Invoke-Command -Session $Session {
            $flags = [System.Reflection.BindingFlags]'NonPublic, Static'
            $asm = @([AppDomain]::CurrentDomain.GetAssemblies() |
                    Where-Object { $_.GetName().Name -like 'BitsWatch.Native*' -and $null -ne $_.GetType('BitsWatch.Native.Job') })
            # Not loaded: the stop came before the machine imported the module,
            # so nothing can be open there.
            $n = 0
            foreach ($a in $asm) {
                $n += $a.GetType('BitsWatch.Native.Job').GetProperty('OpenCount', $flags).GetValue($null) +
                    $a.GetType('BitsWatch.Native.Queue').GetProperty('OpenCount', $flags).GetValue($null)
            }
            $n
        }
    }

    $script:Web1Jobs = @'
job {a1000000-0000-0000-0000-000000000001} name="setup.exe"
  at 0 TRANSFERRING bytes=0/100000000 files=0/1
  at 600000 TRANSFERRING bytes=100000000/100000000
job {a1000000-0000-0000-0000-000000000002} name="drivers"
  at 0 ERROR bytes=0/5000 error=0x80190194 context=REMOTE_FILE
admin
'@
    $script:Web2Jobs = @'
job {a2000000-0000-0000-0000-000000000001} name="kb5001"
  at 0 QUEUED bytes=0/1000
  at 1500 TRANSFERRING bytes=0/1000
  at 2500 TRANSFERRED bytes=1000/1000
'@
    $script:Web3Jobs = @'
job {a3000000-0000-0000-0000-000000000001} name="content"
  at 0 SUSPENDED bytes=200/1000
'@
    Set-BwMachineScenario web1 $script:Web1Jobs
    Set-BwMachineScenario web2 $script:Web2Jobs
    Set-BwMachineScenario web3 $script:Web3Jobs

    $script:Web = @(New-BwFleetSession web1, web2, web3 -ErrorAction Stop)
    $script:Nomod = @(New-BwFleetSession nomod -ErrorAction Stop)
    $script:Old = @(New-BwFleetSession old -ErrorAction Stop)
    $script:All = @($script:Web) + $script:Nomod + $script:Old
}

AfterAll {
    Get-PSSession | Remove-PSSession
}

Describe 'the machines' {
    It 'a machine that refuses connections: New-PSSession fails for it alone' {
        $s = @(New-BwFleetSession web1, dead -ErrorAction SilentlyContinue -ErrorVariable err)
        try {
            $s.ComputerName | Should -Be @('web1')
            $err.Count | Should -BeGreaterThan 0
        }
        finally {
            $s | Remove-PSSession
        }
    }
}

Describe 'Get-BitsJobStatus -Session' {
    It 'returns every machine''s jobs with PSComputerName, each machine''s together' {
        $r = @(Get-BitsJobStatus -Session $script:Web -SampleMs 0)
        ($r | ForEach-Object { '{0}:{1}' -f $_.PSComputerName, $_.DisplayName } | Sort-Object) -join ',' |
            Should -Be 'web1:drivers,web1:setup.exe,web2:kb5001,web3:content'
        $r[0].PSObject.TypeNames | Should -Contain 'Deserialized.BitsWatch.JobStatus'
        $r[0].PSObject.TypeNames[0] | Should -Be 'BitsWatch.FleetJobStatus'
        # Grouped by machine: the order of machines, each once.
        $order = @($r.PSComputerName | Select-Object -Unique)
        $changes = 0
        for ($i = 1; $i -lt $r.Count; $i++) {
            if ($r[$i].PSComputerName -ne $r[$i - 1].PSComputerName) {
                $changes++
            }
        }
        $changes | Should -Be ($order.Count - 1)
    }

    It 'a machine without BitsWatch and one with another version: an error each, targeted at it; the others still return' {
        $r = @(Get-BitsJobStatus -Session $script:All -SampleMs 0 -ErrorAction SilentlyContinue -ErrorVariable err)
        @($r.PSComputerName | Sort-Object -Unique) -join ',' | Should -Be 'web1,web2,web3'
        $err.Count | Should -Be 2
        $byTarget = @{}
        foreach ($e in $err) {
            $byTarget[[string]$e.TargetObject] = $e
        }
        $byTarget['nomod'].FullyQualifiedErrorId | Should -Be 'BitsWatch.NotInstalled,Get-BitsJobStatus'
        $byTarget['nomod'].CategoryInfo.Category | Should -Be 'NotInstalled'
        $byTarget['nomod'].ToString() | Should -BeLike 'nomod: BitsWatch is not installed*'
        $byTarget['old'].FullyQualifiedErrorId | Should -Be 'BitsWatch.OtherVersion,Get-BitsJobStatus'
        $byTarget['old'].ToString() | Should -BeLike "old: BitsWatch 0.1.0 is installed, not $($script:V)*"
    }

    It '-AllUsers: access denied on the machines without rights, targeted at each; the machine with rights answers' {
        $r = @(Get-BitsJobStatus -Session $script:Web -AllUsers -SampleMs 0 -ErrorAction SilentlyContinue -ErrorVariable err)
        @($r.PSComputerName | Sort-Object -Unique) -join ',' | Should -Be 'web1'
        @($err.TargetObject | Sort-Object) -join ',' | Should -Be 'web2,web3'
        foreach ($e in $err) {
            $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $e.ToString() | Should -BeLike "$($e.TargetObject): *"
        }
    }

    It 'a closed session: BitsWatch.SessionUnavailable targeted at its machine; the others still return' {
        $closed = New-BwFleetSession web2 -ErrorAction Stop
        Remove-PSSession $closed
        $r = @(Get-BitsJobStatus -Session (@($script:Web[0]) + $closed) -SampleMs 0 -ErrorAction SilentlyContinue -ErrorVariable err)
        @($r.PSComputerName | Sort-Object -Unique) -join ',' | Should -Be 'web1'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.SessionUnavailable,Get-BitsJobStatus'
        $err[0].TargetObject | Should -Be 'web2'
        # Found before any remote call, and said so.
        $err[0].ToString() | Should -Be 'web2: The session to web2 is Closed: open a new one (New-PSSession).'
    }

    It '-ThrottleLimit 1: one machine at a time, all of them answer' {
        $r = @(Get-BitsJobStatus -Session $script:Web -ThrottleLimit 1 -SampleMs 0)
        @($r.PSComputerName | Select-Object -Unique) -join ',' | Should -Be 'web1,web2,web3'
    }

    It 'rate and ETA are measured on the machine (-SampleMs)' {
        $r = @(Get-BitsJobStatus -Session $script:Web[0] -Name 'setup.exe' -SampleMs 300)
        $r.Count | Should -Be 1
        $r[0].BytesPerSecond | Should -BeGreaterThan 0
        $r[0].Eta | Should -Not -BeNullOrEmpty
    }
}

Describe 'the fleet views' {
    BeforeAll {
        Set-BwMachineScenario web2 $script:Web2Jobs
        $script:Fleet = @(Get-BitsJobStatus -Session $script:Web -SampleMs 0)
    }

    It 'the default table of -Session objects is grouped by computer and fits 80 columns' {
        $text = $script:Fleet | Out-String -Width 80
        $lines = $text -split "`r?`n"
        foreach ($name in 'web1', 'web2', 'web3') {
            ($lines | Where-Object { $_ -match "^\s*Computer: $name\s*$" }).Count | Should -Be 1
        }
        $lines | Where-Object { $_ -match 'setup\.exe\s+Transferring' } | Should -Not -BeNullOrEmpty
        foreach ($l in $lines) {
            $l.Length | Should -BeLessOrEqual 80 -Because "'$l'"
        }
        $lines | Where-Object { $_ -match 'PSComputerName' } | Should -BeNullOrEmpty
    }

    It 'Format-Table -View Fleet groups Invoke-Command''s own objects too' {
        $objects = Invoke-Command -Session $script:Web { Get-BitsJobStatus -SampleMs 0 } | Sort-Object PSComputerName
        $text = $objects | Format-Table -View Fleet | Out-String -Width 80
        ($text -split "`r?`n" | Where-Object { $_ -match '^\s*Computer: web\d\s*$' }).Count | Should -Be 3
    }

    It 'Measure-BitsJobStatus: a row per machine (jobs by state, in error, bytes left), 80 columns' {
        $sum = @($script:Fleet | Measure-BitsJobStatus)
        $sum.ComputerName -join ',' | Should -Be 'web1,web2,web3'
        $sum[0].Jobs | Should -Be 2
        $sum[0].Moving | Should -Be 1
        $sum[0].InError | Should -Be 1
        $sum[0].BytesLeft | Should -BeGreaterThan 50000000
        $sum[1].Queued | Should -Be 1
        $sum[2].Suspended | Should -Be 1
        $sum[2].BytesLeft | Should -Be 800
        $text = $sum | Out-String -Width 80
        $lines = $text -split "`r?`n"
        $lines | Where-Object { $_ -match '^web1\s+2\s+1\s+0\s+0\s+1\s+0\s+' } | Should -Not -BeNullOrEmpty -Because $text
        foreach ($l in $lines) {
            $l.Length | Should -BeLessOrEqual 80 -Because "'$l'"
        }
    }
}

Describe 'Wait-BitsJob -Session' {
    It 'deserialized objects piped back go to their own machine; final states come back with PSComputerName' {
        Set-BwMachineScenario web2 $script:Web2Jobs
        $jobs = @(Get-BitsJobStatus -Session $script:Web -SampleMs 0 | Where-Object DisplayName -in 'kb5001', 'drivers')
        $jobs.Count | Should -Be 2
        $r = @($jobs | Wait-BitsJob -Session $script:Web -TimeoutSec 20 -ErrorAction SilentlyContinue -ErrorVariable err)
        ($r | ForEach-Object { '{0}:{1}:{2}' -f $_.PSComputerName, $_.DisplayName, $_.State } | Sort-Object) -join ',' |
            Should -Be 'web1:drivers:Error,web2:kb5001:Transferred'
        # No machine was asked for another machine's job (that would be JobNotFound).
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.JobInError,Wait-BitsJob'
        $err[0].TargetObject | Should -Be 'web1'
        $err[0].ToString() | Should -BeLike 'web1: *drivers*'
    }

    It 'two sessions to the same machine: a piped object goes back to its own session (RunspaceId), not to both' {
        $second = @(New-BwFleetSession web3 -ErrorAction Stop)
        try {
            $jobs = @(Get-BitsJobStatus -Session $script:Web[2] -SampleMs 0)
            $jobs.Count | Should -Be 1
            $r = @($jobs | Wait-BitsJob -Session @($script:Web[2], $second[0]) -TimeoutSec 1 -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 1
            $r[0].RunspaceId | Should -Be $script:Web[2].InstanceId
        }
        finally {
            $second | Remove-PSSession
        }
    }

    It 'an object from a machine that is not in -Session: an error targeted at that machine' {
        $jobs = @(Get-BitsJobStatus -Session $script:Web[2] -SampleMs 0)
        $r = @($jobs | Wait-BitsJob -Session $script:Web[0] -TimeoutSec 5 -ErrorAction SilentlyContinue -ErrorVariable err)
        $r.Count | Should -Be 0
        $err[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.SessionNotGiven,Wait-BitsJob'
        $err[0].TargetObject | Should -Be 'web3'
    }

    It 'Stop() (Ctrl+C) ends it within 1 s and leaves no pipeline running and no handle open on the machines' {
        $ps = New-BwPowerShell
        try {
            $null = $ps.AddCommand('Wait-BitsJob').AddParameter('Session', $script:Web).AddParameter('Name', '*')
            $async = $ps.BeginInvoke()
            # Running on the machines: their sessions are busy.
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (@($script:Web | Where-Object { $_.Runspace.RunspaceAvailability -eq 'Busy' }).Count -lt 3 -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
            Start-Sleep -Milliseconds 500
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.ElapsedMilliseconds | Should -BeLessThan 1000
            $async.IsCompleted | Should -BeTrue
        }
        finally {
            $ps.Dispose()
        }
        foreach ($s in $script:Web) {
            $s.Runspace.RunspaceAvailability | Should -Be 'Available' -Because "no command runs on $($s.ComputerName)"
            Get-BwRemoteOpenCount $s | Should -Be 0 -Because "every handle on $($s.ComputerName) is closed"
        }
    }
}

Describe 'Watch-BitsJob -Session' {
    It 'one display: a bar per job of every machine, the machine in its text, Ids of its own' {
        Set-BwMachineScenario web2 $script:Web2Jobs
        $ps = New-BwPowerShell
        try {
            $null = $ps.AddCommand('Watch-BitsJob').AddParameter('Session', @($script:Web[1], $script:Web[2])).AddParameter('All').AddParameter('TimeoutSec', 4).AddParameter('PassThru').AddParameter('WarningAction', 'Continue').AddParameter('ErrorAction', 'SilentlyContinue')
            $out = @($ps.Invoke())
            $progress = @($ps.Streams.Progress)
            $warnings = @($ps.Streams.Warning)
        }
        finally {
            $ps.Dispose()
        }
        $web2 = @($progress | Where-Object { $_.Activity -eq 'web2: kb5001' -and $_.RecordType -eq 'Processing' })
        $web3 = @($progress | Where-Object { $_.Activity -eq 'web3: content' -and $_.RecordType -eq 'Processing' })
        $web2.Count | Should -BeGreaterThan 0
        $web3.Count | Should -BeGreaterThan 0
        @($web2.ActivityId | Select-Object -Unique).Count | Should -Be 1
        $web2[0].ActivityId | Should -Not -Be $web3[0].ActivityId
        @($web2.StatusDescription) | Should -Contain 'Queued: 0 B / 1000 B (0%)'
        $progress | Where-Object { $_.ActivityId -eq $web2[0].ActivityId -and $_.RecordType -eq 'Completed' } | Should -Not -BeNullOrEmpty
        $warnings | Where-Object { $_.Message -like 'web3: *content*' } | Should -Not -BeNullOrEmpty
        ($out | ForEach-Object { '{0}:{1}' -f $_.PSComputerName, $_.State } | Sort-Object) -join ',' |
            Should -Be 'web2:Transferred,web3:Suspended'
    }

    It 'Stop() (Ctrl+C) ends the watch of every machine within 1 s and leaves no remote pipeline running and no handle open' {
        $ps = New-BwPowerShell
        try {
            $null = $ps.AddCommand('Watch-BitsJob').AddParameter('Session', $script:Web).AddParameter('All')
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (@($ps.Streams.Progress | Where-Object { $_.Activity -like 'web1: *' }).Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
            @($ps.Streams.Progress | Where-Object { $_.Activity -like 'web1: *' }).Count | Should -BeGreaterThan 0
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.ElapsedMilliseconds | Should -BeLessThan 1000
            $async.IsCompleted | Should -BeTrue
        }
        finally {
            $ps.Dispose()
        }
        foreach ($s in $script:Web) {
            $s.Runspace.RunspaceAvailability | Should -Be 'Available' -Because "no command runs on $($s.ComputerName)"
            Get-BwRemoteOpenCount $s | Should -Be 0 -Because "every handle on $($s.ComputerName) is closed"
        }
    }
}

Describe 'a machine that breaks' {
    It 'its sessions fail with SessionUnavailable targeted at it; the other machines still return' {
        $s = New-BwFleetSession web3 -ErrorAction Stop
        $machines = @($script:Web[0]) + $s
        @(Get-BitsJobStatus -Session $machines -SampleMs 0).Count | Should -Be 3
        & bash (Join-Path $PSScriptRoot 'machines.sh') kill $script:FleetDir web3
        $LASTEXITCODE | Should -Be 0
        $r = @(Get-BitsJobStatus -Session $machines -SampleMs 0 -ErrorAction SilentlyContinue -ErrorVariable err)
        @($r.PSComputerName | Sort-Object -Unique) -join ',' | Should -Be 'web1'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.SessionUnavailable,Get-BitsJobStatus'
        $err[0].TargetObject | Should -Be 'web3'
    }
}

Describe 'Install-BitsWatch -Session' {
    It '-WhatIf: the version check alone, which machine runs what, nothing copied' {
        $r = @(Install-BitsWatch -Session @($script:Web[0], $script:Nomod[0], $script:Old[0]) -WhatIf)
        ($r | ForEach-Object { '{0}:{1}:{2}' -f $_.ComputerName, $_.Action, ($_.Versions -join '+') }) -join ',' |
            Should -Be "web1:Current:$($script:V),nomod:WhatIf:,old:WhatIf:0.1.0"
        Test-Path -LiteralPath (Join-Path $script:Machines['nomod'].modules 'BitsWatch') | Should -BeFalse
        # Where the version already is, for a machine that has it.
        $r[0].Path | Should -Be (Join-Path $script:Machines['web1'].modules 'BitsWatch')
        $text = $r | Out-String -Width 120
        $text | Should -Match ('(?m)^old\s+{0}\s+WhatIf\s+0\.1\.0\s' -f [regex]::Escape($script:V))
    }

    It 'installs this version beside others, into the first PSModulePath folder; then the -Session commands work there' {
        $r = @(Install-BitsWatch -Session @($script:Web[0], $script:Nomod[0], $script:Old[0]))
        ($r | ForEach-Object { '{0}:{1}:{2}' -f $_.ComputerName, $_.Action, ($_.Versions -join '+') }) -join ',' |
            Should -Be ("web1:Current:{0},nomod:Installed:{0},old:Installed:{0}+0.1.0" -f $script:V)
        # The machine's user module folder: the first of its PSModulePath.
        $machineDir = Split-Path -Parent $script:Machines['nomod'].scenario
        $r[1].Path | Should -Be (Join-Path $machineDir "data/powershell/Modules/BitsWatch/$($script:V)")
        Set-BwMachineScenario nomod $script:Web3Jobs
        Set-BwMachineScenario old $script:Web2Jobs
        $s = @(Get-BitsJobStatus -Session @($script:Nomod[0], $script:Old[0]) -SampleMs 0)
        ($s | ForEach-Object { '{0}:{1}' -f $_.PSComputerName, $_.DisplayName } | Sort-Object) -join ',' | Should -Be 'nomod:content,old:kb5001'
    }

    It 'a closed session: Failed, with an error targeted at its machine' {
        $closed = New-BwFleetSession web2 -ErrorAction Stop
        Remove-PSSession $closed
        $r = @(Install-BitsWatch -Session $closed -ErrorAction SilentlyContinue -ErrorVariable err)
        $r[0].Action | Should -Be 'Failed'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.InstallFailed,Install-BitsWatch'
        $err[0].TargetObject | Should -Be 'web2'
    }

    It 'every new command has help with examples' -ForEach @('Measure-BitsJobStatus', 'Install-BitsWatch') {
        $h = Get-Help $_ -Full
        $h.Synopsis | Should -Not -BeNullOrEmpty
        @($h.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }
}
