# WaitWatch.Tests.ps1 - Wait-BitsJob and Watch-BitsJob against the simulator:
# final objects, -Complete with ShouldProcess, timeouts, warnings, errors,
# Write-Progress records, stopping from another thread.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
    Import-Module $script:ModuleDir -Force -ErrorAction Stop

    $script:Quick = [Guid]'b2000000-0000-0000-0000-000000000001'     # done after 800 ms
    $script:Fails = [Guid]'b2000000-0000-0000-0000-000000000002'     # HTTP 404 at 200 ms
    $script:Slow = [Guid]'b2000000-0000-0000-0000-000000000003'      # transferring for a minute
    $script:Reply = [Guid]'b2000000-0000-0000-0000-000000000004'     # upload-reply, done at 400 ms
    $script:Idle = [Guid]'b2000000-0000-0000-0000-000000000005'      # queued for ever: nothing changes
    $script:Scenario = @'
job {b2000000-0000-0000-0000-000000000001} name="Quick" owner="CORP\\alice"
at 0 QUEUED bytes=0/?
at 150 CONNECTING
at 200 TRANSFERRING bytes=0/1048576 files=0/1
at 800 TRANSFERRING bytes=1048576/1048576 files=1/1
at 801 TRANSFERRED
job {b2000000-0000-0000-0000-000000000002} name="Fails"
at 0 TRANSFERRING bytes=0/1000
at 200 ERROR bytes=10/1000 error=0x80190194 context=5 text="HTTP 404 Not Found" remote="http://example.invalid/missing.bin"
job {b2000000-0000-0000-0000-000000000003} owner="CORP\\bob"
at 0 TRANSFERRING bytes=0/104857600
at 60000 TRANSFERRING bytes=104857600/104857600
at 60001 TRANSFERRED
job {b2000000-0000-0000-0000-000000000004} type=upload-reply name="Upload"
at 0 TRANSFERRING bytes=0/1000 reply=0/?
at 200 TRANSFERRING bytes=1000/1000 reply=0/2000
at 400 TRANSFERRING bytes=1000/1000 reply=2000/2000
at 401 TRANSFERRED
job {b2000000-0000-0000-0000-000000000005} name="Idle"
at 0 QUEUED bytes=0/?
'@
}

Describe 'Wait-BitsJob' {
    BeforeEach {
        Set-BwScenario $script:Scenario
    }

    It 'waits until the job is transferred and returns its final status' {
        $r = @(Wait-BitsJob -JobId $script:Quick -TimeoutSec 20)
        $r.Count | Should -Be 1
        $r[0].State | Should -Be 'Transferred'
        $r[0].BytesTransferred | Should -Be 1048576
        $r[0].Percent | Should -Be 100
        $r[0].Owner | Should -Be 'CORP\alice'
    }

    It '-Complete acknowledges a transferred job' {
        $r = Wait-BitsJob -JobId $script:Quick -Complete -TimeoutSec 20
        $r.State | Should -Be 'Acknowledged'
    }

    It '-Complete -WhatIf completes nothing' {
        $r = Wait-BitsJob -JobId $script:Quick -Complete -WhatIf -TimeoutSec 20
        $r.State | Should -Be 'Transferred'
        (Get-BitsJobStatus -JobId $script:Quick -SampleMs 0).State | Should -Be 'Transferred'
    }

    It '-Complete -Confirm asks before completing (a host that cannot ask: the command stops)' {
        $r = Invoke-InRunspace -Script 'param($Id) Wait-BitsJob -JobId $Id -Complete -Confirm -TimeoutSec 20' -Arguments @{ Id = $script:Quick }
        $r.FirstError | Should -Not -BeNullOrEmpty
        $r.FirstError.Exception.Message | Should -Match 'prompts the user'
        (Get-BitsJobStatus -JobId $script:Quick -SampleMs 0).State | Should -Be 'Transferred'
    }

    It '-All -Complete asks first (high impact) unless -Force; a host that cannot ask gets an error record saying to add -Force' {
        $r = Invoke-InRunspace -Script 'Wait-BitsJob -All -Complete -TimeoutSec 1'
        $r.FirstError | Should -Not -BeNullOrEmpty
        $r.FirstError.FullyQualifiedErrorId | Should -Be 'BitsWatch.ConfirmationRequired,Wait-BitsJob'
        $r.FirstError.Exception.Message | Should -Match '-Force'
        $r.Output.Count | Should -Be 0
        (Get-BitsJobStatus -JobId $script:Quick -SampleMs 0).State | Should -Not -Be 'Acknowledged'
        Set-BwScenario $script:Scenario
        $r = Invoke-InRunspace -Script 'Wait-BitsJob -Name Quick -Complete -Confirm:$false -TimeoutSec 20'
        $r.FirstError | Should -BeNullOrEmpty
        $r.Output.State | Should -Be 'Acknowledged'
    }

    It 'pwsh -NonInteractive: -Name -Complete -ErrorAction Stop is BitsWatch.ConfirmationRequired naming Wait-BitsJob and -Force; with -Force it completes' {
        $scenarioFile = Join-Path -Path $script:OutDir -ChildPath 'scenario-noninteractive.txt'
        Set-BwScenario -Text $script:Scenario -Path $scenarioFile
        $r = Invoke-BwFreshSession -Script (@'
Import-Module 'MODULE' -ErrorAction Stop
try {
    $null = Wait-BitsJob -Name Quick -Complete -TimeoutSec 20 -ErrorAction Stop
    'no error'
}
catch {
    'id=' + $_.FullyQualifiedErrorId
    'category=' + $_.CategoryInfo.Category
    'message=' + $_.Exception.Message
}
'state=' + (Wait-BitsJob -Name Quick -TimeoutSec 20).State
'forced=' + (Wait-BitsJob -Name Quick -Complete -Force -TimeoutSec 20).State
'@).Replace('MODULE', $script:ModuleDir.Replace("'", "''")) -Environment @{ BITSWATCH_SIM_SCENARIO = $scenarioFile }
        $r.ErrorText | Should -BeNullOrEmpty
        $r.Output | Should -Contain 'id=BitsWatch.ConfirmationRequired,Wait-BitsJob'
        $r.Output | Should -Contain 'category=InvalidOperation'
        ($r.Output -match '^message=.*-Force') | Should -Not -BeNullOrEmpty
        $r.Output | Should -Contain 'state=Transferred'
        $r.Output | Should -Contain 'forced=Acknowledged'
    }

    It '-All waits for every job of the user; -Name for the matching ones' {
        $r = @(Wait-BitsJob -Name 'Quick', 'Upl*' -TimeoutSec 20)
        $r.JobId | Should -Be @($script:Quick, $script:Reply)
        $r.State | Should -Be @('Transferred', 'Transferred')
        Set-BwScenario $script:Scenario
        $r = @(Wait-BitsJob -All -TimeoutSec 1 -ErrorAction SilentlyContinue)
        $r.Count | Should -Be 5
    }

    It '-AllUsers without rights is a terminating PermissionDenied error of Wait-BitsJob' {
        { Wait-BitsJob -All -AllUsers -TimeoutSec 1 } | Should -Throw -ErrorId 'BitsWatch.EnumFailed,Wait-BitsJob'
        Set-BwScenario ("admin`n" + $script:Scenario)
        @(Wait-BitsJob -All -AllUsers -TimeoutSec 1 -ErrorAction SilentlyContinue).Count | Should -Be 5
    }

    It 'a job in error: a non-terminating ConnectionError naming the job, its description and code in hex' {
        $r = @(Wait-BitsJob -JobId $script:Fails -TimeoutSec 20 -ErrorVariable ev -ErrorAction SilentlyContinue)
        $r[0].State | Should -Be 'Error'
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.JobInError,Wait-BitsJob'
        $ev[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $ev[0].TargetObject | Should -Be $script:Fails
        $ev[0].Exception.Message | Should -Match 'HTTP 404 Not Found \(0x80190194\) \[http://example.invalid/missing.bin\]'
        Assert-BwHandlesClosed -Because 'after a job in error'
    }

    It 'a timeout: an OperationTimeout error per unfinished job, objects with owner, times and a $null name' {
        $r = @(Wait-BitsJob -JobId $script:Slow -TimeoutSec 1 -ErrorVariable ev -ErrorAction SilentlyContinue)
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.Timeout,Wait-BitsJob'
        $ev[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $ev[0].TargetObject | Should -Be $script:Slow
        $r[0].State | Should -Be 'Transferring'
        $r[0].Owner | Should -Be 'CORP\bob'
        $r[0].CreationTime | Should -BeOfType ([datetime])
        $r[0].ModificationTime | Should -BeOfType ([datetime])
        $r[0].DisplayName | Should -BeExactly $null
        Assert-BwHandlesClosed -Because 'after a timeout'
    }

    It 'a timeout returns the job as it is at the end: its info is read again (ModificationTime of a change during the wait)' {
        Set-BwScenario (@'
job {b2000000-0000-0000-0000-000000000001} name="Paused later"
at 0 TRANSFERRING bytes=0/1000
at 600 SUSPENDED bytes=100/1000
'@)
        $r = @(Wait-BitsJob -JobId $script:Quick -TimeoutSec 2 -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $r[0].State | Should -Be 'Suspended'
        # The simulator's ModificationTime is the load plus the time of the
        # last keyframe passed: 600 ms after CreationTime once the job is
        # suspended; the info read when the job was opened says 0.
        ($r[0].ModificationTime - $r[0].CreationTime).TotalMilliseconds | Should -BeGreaterOrEqual 500
    }

    It 'a job given twice is waited for and returned once' {
        $r = @(Wait-BitsJob -JobId $script:Quick, $script:Quick -TimeoutSec 20)
        $r.JobId | Should -Be @($script:Quick)
        Set-BwScenario $script:Scenario
        $r = @($script:Quick, $script:Reply, $script:Quick.ToString('B') | Wait-BitsJob -TimeoutSec 20)
        $r.JobId | Should -Be @($script:Quick, $script:Reply)
    }

    It '-All -Complete -WhatIf asks nothing (even where no one can answer), completes nothing and returns every job' {
        $r = Invoke-InRunspace -Script 'Wait-BitsJob -All -Complete -WhatIf -TimeoutSec 2 -ErrorAction SilentlyContinue'
        @($r.Errors | Where-Object { $_.FullyQualifiedErrorId -notlike 'BitsWatch.Timeout,*' -and $_.FullyQualifiedErrorId -notlike 'BitsWatch.JobInError,*' }) | Should -BeNullOrEmpty
        $r.Thrown | Should -BeNullOrEmpty
        $r.Output.Count | Should -Be 5
        @($r.Output | Where-Object State -eq 'Acknowledged').Count | Should -Be 0
        @($r.Output | Where-Object State -eq 'Transferred').Count | Should -Be 2
    }

    It 'a timeout ends the wait on time' {
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $null = Wait-BitsJob -JobId $script:Slow -TimeoutSec 1 -IntervalMs 200 -ErrorAction SilentlyContinue
        $sw.ElapsedMilliseconds | Should -BeLessThan 1600
        $sw.ElapsedMilliseconds | Should -BeGreaterOrEqual 950
    }

    It 'a given job that vanishes mid-wait: a JobNotFound error, as when it is missing at the start; the others are still returned' {
        Set-BwScenario (@'
job {b2000000-0000-0000-0000-000000000001} name="Vanishes"
at 0 TRANSFERRING bytes=0/1000
at 600 gone
job {b2000000-0000-0000-0000-000000000002} name="Stays"
at 0 TRANSFERRING bytes=0/1000
at 900 TRANSFERRED bytes=1000/1000
'@)
        $r = @(Wait-BitsJob -JobId $script:Quick, $script:Fails -TimeoutSec 20 -ErrorVariable ev -ErrorAction SilentlyContinue -WarningVariable wv)
        $r.JobId | Should -Be @($script:Fails)
        $wv.Count | Should -Be 0
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.JobNotFound,Wait-BitsJob'
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].TargetObject | Should -Be $script:Quick
        Assert-BwHandlesClosed -Because 'after a job that vanished'
        # -ErrorAction Stop: the same error, thrown.
        Set-BwScenario (@'
job {b2000000-0000-0000-0000-000000000001} name="Vanishes"
at 0 TRANSFERRING bytes=0/1000
at 300 gone
'@)
        { Wait-BitsJob -JobId $script:Quick -TimeoutSec 20 -ErrorAction Stop } | Should -Throw -ErrorId 'BitsWatch.JobNotFound,Wait-BitsJob'
        Assert-BwHandlesClosed -Because 'after a job that vanished (-ErrorAction Stop)'
    }

    It 'a job that fails with access denied in the local file: PermissionDenied, not ConnectionError' {
        Set-BwScenario (@'
job {b2000000-0000-0000-0000-000000000001} name="Denied"
at 0 TRANSFERRING bytes=0/1000
at 100 ERROR error=0x80070005 context=LOCAL_FILE text="Access is denied." local='C:\Windows\x.bin'
'@)
        $null = Wait-BitsJob -JobId $script:Quick -TimeoutSec 20 -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.JobInError,Wait-BitsJob'
        $ev[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
    }

    It '-IntervalMs means the longest single wait in the library: 50..200, and the number of waits follows it' {
        { Wait-BitsJob -JobId $script:Idle -IntervalMs 201 -TimeoutSec 1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Wait-BitsJob'
        { Watch-BitsJob -JobId $script:Idle -IntervalMs 60000 -TimeoutSec 1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Watch-BitsJob'
        $calls = @{}
        foreach ($ms in 50, 200) {
            $before = (Get-BwTestCounter NativePoll)
            $null = Wait-BitsJob -JobId $script:Idle -IntervalMs $ms -TimeoutSec 2 -ErrorAction SilentlyContinue
            $calls[$ms] = (Get-BwTestCounter NativePoll) - $before
        }
        # 2 s of a job that never changes: about 2000/50 and 2000/200 waits.
        $calls[50] | Should -BeGreaterThan 25
        $calls[200] | Should -BeLessThan 15
        $calls[200] | Should -BeGreaterThan 7
    }

    It 'a suspended job: one warning naming Resume-BitsTransfer, the wait goes on until the timeout' {
        Set-BwScenario (@'
job {b2000000-0000-0000-0000-000000000001} name="Paused"
at 0 SUSPENDED bytes=10/1000
'@)
        $r = @(Wait-BitsJob -JobId $script:Quick -TimeoutSec 1 -WarningVariable wv -WarningAction SilentlyContinue -ErrorAction SilentlyContinue)
        $r[0].State | Should -Be 'Suspended'
        $wv.Count | Should -Be 1
        $wv[0].Message | Should -Match 'suspended.*Resume-BitsTransfer'
    }

    It 'a job in a transient error: one warning, and it is waited for until it finishes' {
        Set-BwScenario (@'
job {b2000000-0000-0000-0000-000000000001} name="Flaky"
at 0 TRANSIENT_ERROR bytes=0/1000 error=0x80072EE7 context=6 text="The server name could not be resolved"
at 500 TRANSFERRING bytes=500/1000
at 700 TRANSFERRED bytes=1000/1000
'@)
        $r = @(Wait-BitsJob -JobId $script:Quick -TimeoutSec 20 -WarningVariable wv -WarningAction SilentlyContinue)
        $r[0].State | Should -Be 'Transferred'
        $wv.Count | Should -Be 1
        $wv[0].Message | Should -Match 'transient error \(The server name could not be resolved\)'
    }

    It 'the BITS service restarting: one warning, and the wait goes on to the end' {
        Set-BwScenario (@'
service-down 300 800
job {b2000000-0000-0000-0000-000000000001} name="Survivor"
at 0 TRANSFERRING bytes=0/1000
at 1500 TRANSFERRED bytes=1000/1000
'@)
        $r = @(Wait-BitsJob -JobId $script:Quick -TimeoutSec 20 -ErrorVariable ev -WarningVariable wv -WarningAction SilentlyContinue)
        $ev.Count | Should -Be 0
        $r[0].State | Should -Be 'Transferred'
        $wv.Count | Should -Be 1
        $wv[0].Message | Should -Match 'BITS service is not answering'
        Assert-BwHandlesClosed -Because 'after the service restarted'
    }

    It 'writes through its own $PSCmdlet: the error record names Wait-BitsJob' {
        $null = Wait-BitsJob -JobId ([Guid]::NewGuid()) -TimeoutSec 1 -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.JobNotFound,Wait-BitsJob'
        $ev[0].InvocationInfo.MyCommand.Name | Should -Be 'Wait-BitsJob'
        Assert-BwHandlesClosed -Because 'after a job that is not there'
    }

    It 'takes -JobId as BitsJob objects from the pipeline and -BitsJob' {
        $job = [PSCustomObject]@{ PSTypeName = 'Microsoft.BackgroundIntelligentTransfer.Management.BitsJob'; JobId = $script:Quick }
        ($job | Wait-BitsJob -TimeoutSec 20).State | Should -Be 'Transferred'
        Set-BwScenario $script:Scenario
        (Wait-BitsJob -BitsJob $job -TimeoutSec 20).State | Should -Be 'Transferred'
    }

    It 'Stop() from another thread (Ctrl+C) ends it within 300 ms, with -IntervalMs 200, and closes every handle' {
        $ps = New-BwPowerShell
        try {
            $null = $ps.AddCommand('Wait-BitsJob').AddParameter('JobId', @($script:Quick, $script:Idle)).AddParameter('IntervalMs', 200)
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ((Get-BwTestCounter JobOpen) -lt 2 -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            Start-Sleep -Milliseconds 1200  # Quick is done; the wait is on Idle, which never changes
            Assert-BwHandlesClosed -Held 2 -Because 'the command holds its two handles while it waits'
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Stop()
            $sw.ElapsedMilliseconds | Should -BeLessThan 300
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Assert-BwHandlesClosed -Because 'Stop() closes every handle'
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Watch-BitsJob' {
    BeforeEach {
        Set-BwScenario $script:Scenario
    }

    It 'writes one bar per job with the fixed Ids 0x4257 + 2*i, the name as activity, and a status line' {
        $r = Invoke-InRunspace -Script 'param($Ids) Watch-BitsJob -JobId $Ids -TimeoutSec 20' -Arguments @{ Ids = @($script:Quick, $script:Fails) }
        $ids = @($r.Progress | ForEach-Object ActivityId | Sort-Object -Unique)
        $ids | Should -Be @(0x4257, 0x4259)
        $quick = @($r.Progress | Where-Object { $_.ActivityId -eq 0x4257 -and $_.RecordType -eq 'Processing' })
        $quick.Count | Should -BeGreaterThan 0
        $quick[0].Activity | Should -Be 'Quick'
        $quick.StatusDescription | Should -Contain 'Queued: 0 B / ?'
        ($quick.StatusDescription -match '^Transferring: .* / 1 MB \(\d+%\)').Count | Should -BeGreaterThan 0
        ($quick | Where-Object { $_.PercentComplete -ge 0 }).Count | Should -BeGreaterThan 0
        ($quick | Where-Object { $_.ParentActivityId -ne -1 }).Count | Should -Be 0
    }

    It 'shows rate and ETA in the status line of a transferring job' {
        $r = Invoke-InRunspace -Script 'param($Id) Watch-BitsJob -JobId $Id -TimeoutSec 2 -ErrorAction SilentlyContinue' -Arguments @{ Id = $script:Slow }
        $last = @($r.Progress | Where-Object RecordType -eq 'Processing')[-1]
        $last.StatusDescription | Should -Match '^Transferring: [\d.]+ MB / 100 MB \(\d+%\), [\d.]+ MB/s, ETA 00:00:\d\d$'
        $last.SecondsRemaining | Should -BeGreaterThan 0
    }

    It 'shows the reply of an upload-reply job as a child bar (Id + 1, ParentId = the job''s bar)' {
        $r = Invoke-InRunspace -Script 'param($Id) Watch-BitsJob -JobId $Id -TimeoutSec 20' -Arguments @{ Id = $script:Reply }
        $child = @($r.Progress | Where-Object { $_.ActivityId -eq 0x4258 })
        $child.Count | Should -BeGreaterThan 0
        $child | ForEach-Object { $_.ParentActivityId | Should -Be 0x4257 }
        $child.StatusDescription | Should -Contain 'Reply: waiting for the server'
        ($child.StatusDescription -match '^Reply: [\d.]+ (B|KB) / 2 KB$').Count | Should -BeGreaterThan 0
    }

    It 'ends every bar with a Completed record at the end' {
        $r = Invoke-InRunspace -Script 'param($Ids) Watch-BitsJob -JobId $Ids -TimeoutSec 20' -Arguments @{ Ids = @($script:Quick, $script:Reply) }
        foreach ($id in 0x4257, 0x4259, 0x425A) {
            $last = @($r.Progress | Where-Object ActivityId -eq $id)[-1]
            $last.RecordType | Should -Be 'Completed'
        }
    }

    It 'writes no objects without -PassThru; with -PassThru the final status of each job' {
        $r = Invoke-InRunspace -Script 'param($Id) Watch-BitsJob -JobId $Id -TimeoutSec 20' -Arguments @{ Id = $script:Quick }
        $r.Output.Count | Should -Be 0
        Set-BwScenario $script:Scenario
        $r = Invoke-InRunspace -Script 'param($Id) Watch-BitsJob -JobId $Id -TimeoutSec 20 -PassThru' -Arguments @{ Id = $script:Quick }
        $r.Output.Count | Should -Be 1
        $r.Output[0].State | Should -Be 'Transferred'
    }

    It 'a job in error: an error record of Watch-BitsJob, and the watch ends' {
        $r = Invoke-InRunspace -Script 'param($Id) Watch-BitsJob -JobId $Id -TimeoutSec 20 -PassThru' -Arguments @{ Id = $script:Fails }
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.JobInError,Watch-BitsJob'
        $r.Output[0].State | Should -Be 'Error'
        Assert-BwHandlesClosed -Because 'after a job in error'
    }

    It '-Name (wildcards) and -BitsJob choose the jobs to watch' {
        $r = Invoke-InRunspace -Script 'Watch-BitsJob -Name Qu*, upload -TimeoutSec 20 -PassThru'
        $r.Output.JobId | Should -Be @($script:Quick, $script:Reply)
        $r.Errors.Count | Should -Be 0
        $job = [PSCustomObject]@{ PSTypeName = 'Deserialized.Microsoft.BackgroundIntelligentTransfer.Management.BitsJob'; JobId = $script:Quick }
        $r = Invoke-InRunspace -Script 'param($Job) Watch-BitsJob -BitsJob $Job -TimeoutSec 20 -PassThru' -Arguments @{ Job = $job }
        $r.Output.JobId | Should -Be @($script:Quick)
        $r.Output.State | Should -Be 'Transferred'
    }

    It '-All -AllUsers watches every user''s jobs when the session may' {
        Set-BwScenario ("admin`n" + $script:Scenario)
        $r = Invoke-InRunspace -Script 'Watch-BitsJob -All -AllUsers -TimeoutSec 1 -PassThru -ErrorAction SilentlyContinue'
        $r.Output.Count | Should -Be 5
        @($r.Progress | ForEach-Object ActivityId | Sort-Object -Unique) | Should -Contain (0x4257 + 2 * 4)
    }

    It '-All warns once for a suspended job and ends at -TimeoutSec' {
        Set-BwScenario (@'
job {b2000000-0000-0000-0000-000000000001} name="Paused"
at 0 SUSPENDED bytes=10/1000
job {b2000000-0000-0000-0000-000000000002} name="Done"
at 0 TRANSFERRED bytes=1000/1000
'@)
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-InRunspace -Script 'Watch-BitsJob -All -TimeoutSec 1 -PassThru'
        $sw.ElapsedMilliseconds | Should -BeLessThan 5000
        $r.Warnings.Count | Should -Be 1
        $r.Warnings[0].Message | Should -Match 'Paused.*suspended.*Resume-BitsTransfer'
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.Timeout,Watch-BitsJob'
        Assert-BwHandlesClosed -Because 'after a timeout'
    }

    It '-All: a listing that fails is a terminating error record of Watch-BitsJob, not a raw exception' {
        Set-BwScenario ("service-down 0 600000`n" + $script:Scenario)
        $r = Invoke-InRunspace -Script 'Watch-BitsJob -All -TimeoutSec 1'
        $record = $r.FirstError
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -Be 'BitsWatch.EnumFailed,Watch-BitsJob'
        $record.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $record.Exception.Message | Should -Not -Match 'Exception calling'
    }

    It '-Complete -WhatIf completes nothing and says what it would do' {
        $r = Invoke-InRunspace -Script 'param($Id) Watch-BitsJob -JobId $Id -Complete -WhatIf -TimeoutSec 20 -PassThru' -Arguments @{ Id = $script:Quick }
        $r.Output[0].State | Should -Be 'Transferred'
        (Get-BitsJobStatus -JobId $script:Quick -SampleMs 0).State | Should -Be 'Transferred'
        # The "What if:" line goes to the host: a console host (a fresh pwsh) shows it.
        $scenarioFile = Join-Path -Path $script:OutDir -ChildPath 'scenario-whatif.txt'
        Set-BwScenario -Text $script:Scenario -Path $scenarioFile
        $fresh = Invoke-BwFreshSession -Script (@'
Import-Module 'MODULE' -ErrorAction Stop
$r = Watch-BitsJob -JobId 'ID' -Complete -WhatIf -TimeoutSec 20 -PassThru
'state=' + $r.State
'@).Replace('MODULE', $script:ModuleDir.Replace("'", "''")).Replace('ID', $script:Quick) -Environment @{ BITSWATCH_SIM_SCENARIO = $scenarioFile }
        $fresh.ErrorText | Should -BeNullOrEmpty
        $whatIf = @($fresh.Output -match '^What if: ')
        $whatIf.Count | Should -Be 1
        $whatIf[0] | Should -Match ('What if: Performing the operation "Complete \(acknowledge the transfer; its files move to their destination\)" on target "BITS job {0} \(Quick\)"' -f [regex]::Escape($script:Quick.ToString()))
        $fresh.Output | Should -Contain 'state=Transferred'
    }

    It 'a job that does not change is not drawn again: one bar record while it stays the same' {
        $r = Invoke-InRunspace -Script 'param($Id) Watch-BitsJob -JobId $Id -TimeoutSec 2 -ErrorAction SilentlyContinue' -Arguments @{ Id = $script:Idle }
        $drawn = @($r.Progress | Where-Object { $_.ActivityId -eq 0x4257 -and $_.RecordType -eq 'Processing' })
        # About ten waits of 200 ms, each with nothing new.
        $drawn.Count | Should -Be 1
        $drawn[0].StatusDescription | Should -Be 'Queued: 0 B / ?'
    }

    It 'Stop() from another thread ends it within 300 ms, ends its bars if it can and closes every handle' {
        $ps = New-BwPowerShell
        try {
            $null = $ps.AddCommand('Watch-BitsJob').AddParameter('JobId', $script:Idle).AddParameter('IntervalMs', 200)
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ($ps.Streams.Progress.Count -lt 1 -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            Start-Sleep -Milliseconds 300
            Assert-BwHandlesClosed -Held 1 -Because 'the command holds its handle while it waits'
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Stop()
            $sw.ElapsedMilliseconds | Should -BeLessThan 300
            Assert-BwHandlesClosed -Because 'Stop() closes every handle'
        }
        finally {
            $ps.Dispose()
        }
    }
}
