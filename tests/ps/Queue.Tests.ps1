# Queue.Tests.ps1 - the queue followed (issue 17): Watch-BitsJob -All shows
# jobs created while it runs and ends the bars of jobs that leave the queue
# with their last state and why; Wait-BitsJob -All waits for the jobs present
# when it started; the Queue wrapper (BwQueueOpen/Poll/GetJobs/Close) and
# every handle closed, queue included.
#
# The simulator's `created=<ms>` makes a job appear (another program creates
# it then); a CANCELLED or ACKNOWLEDGED keyframe makes it leave the queue
# (another program cancels or completes it: no longer listed or counted, a
# handle held reads that state); `gone` makes it vanish (tests/sim/README.md).

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
    Import-Module $script:ModuleDir -Force -ErrorAction Stop

    # The records of one bar (its Id), in the order written.
    function Get-BarRecord {
        param($Result, [int] $Index)
        @($Result.Progress | Where-Object ActivityId -eq (0x4257 + 2 * $Index))
    }
}

Describe 'Watch-BitsJob -All follows the queue' {
    AfterEach {
        Assert-BwHandlesClosed -Because 'the watch closed its job handles and its queue'
    }

    It 'a job created after the watch started gets its own bar with progress records' {
        # Late is first in the file: listed at the start it would be job 0
        # (Id 0x4257); arriving while the watch runs, it comes after Early.
        Set-BwScenario (@'
job {e5000000-0000-0000-0000-000000000002} name="Late" created=800
at 900 TRANSFERRING bytes=0/2000 files=0/1
at 1800 TRANSFERRING bytes=2000/2000 files=1/1
at 1801 TRANSFERRED
job {e5000000-0000-0000-0000-000000000001} name="Early"
at 0 TRANSFERRING bytes=0/1000
at 2500 TRANSFERRING bytes=1000/1000
at 2501 TRANSFERRED
'@)
        $r = Invoke-InRunspace -Script 'Watch-BitsJob -All -TimeoutSec 20 -PassThru'
        $r.Errors.Count | Should -Be 0
        $early = Get-BarRecord $r 0
        $late = Get-BarRecord $r 1
        $early[0].Activity | Should -Be 'Early'
        $processing = @($late | Where-Object RecordType -eq 'Processing')
        $processing.Count | Should -BeGreaterThan 1 -Because 'the new job''s bar is updated as it moves'
        $processing[0].Activity | Should -Be 'Late'
        ($processing.StatusDescription -match '^Transferring: [\d.]+ (B|KB) / 2 KB \(\d+%\)').Count | Should -BeGreaterThan 0
        $late[-1].RecordType | Should -Be 'Completed'
        # It appeared while Early was still being shown.
        $firstLate = [array]::IndexOf($r.Progress, $processing[0])
        $lastEarly = [array]::IndexOf($r.Progress, @($early | Where-Object RecordType -eq 'Processing')[-1])
        $firstLate | Should -BeLessThan $lastEarly
        $r.Output.JobId | Should -Be @([Guid]'e5000000-0000-0000-0000-000000000001', [Guid]'e5000000-0000-0000-0000-000000000002')
        $r.Output.State | Should -Be @('Transferred', 'Transferred')
    }

    It 'a job that leaves the queue shows its last state and why, then its bar is completed while the watch goes on' {
        Set-BwScenario (@'
job {e5000000-0000-0000-0000-000000000011} name="Cancelled elsewhere"
at 0 TRANSFERRING bytes=0/1000
at 600 TRANSFERRING bytes=400/1000
at 601 CANCELLED
job {e5000000-0000-0000-0000-000000000012} name="Completed elsewhere"
at 0 TRANSFERRING bytes=0/500
at 700 TRANSFERRING bytes=500/500
at 701 ACKNOWLEDGED
job {e5000000-0000-0000-0000-000000000013} name="Vanishes"
at 0 QUEUED bytes=0/300
at 800 gone
job {e5000000-0000-0000-0000-000000000014} name="Keeps going"
at 0 TRANSFERRING bytes=0/10000
at 4500 TRANSFERRING bytes=10000/10000
at 4501 TRANSFERRED
'@)
        $r = Invoke-InRunspace -Script 'Watch-BitsJob -All -TimeoutSec 20 -PassThru'
        $r.Errors.Count | Should -Be 0
        $keeps = @(Get-BarRecord $r 3 | Where-Object RecordType -eq 'Processing')
        $lastKeeps = [array]::IndexOf($r.Progress, $keeps[-1])
        $cases = @(
            @{ Index = 0; Line = '^Left the queue \(cancelled\): Cancelled: 400 B / 1000 B \(40%\)$' }
            @{ Index = 1; Line = '^Left the queue \(completed\): Acknowledged: 500 B / 500 B \(100%\)$' }
            @{ Index = 2; Line = '^Left the queue \(gone\): Queued: 0 B / 300 B \(0%\)$' }
        )
        foreach ($c in $cases) {
            $bar = Get-BarRecord $r $c.Index
            $left = @($bar | Where-Object { $_.RecordType -eq 'Processing' -and $_.StatusDescription -match '^Left the queue' })
            $left.Count | Should -Be 1 -Because ('job {0} is shown once as it left' -f $c.Index)
            $left[0].StatusDescription | Should -Match $c.Line
            $bar[-1].RecordType | Should -Be 'Completed'
            # Completed after the last state was shown, and before the watch
            # ended (Keeps going was still moving): removed from the display.
            $leftAt = [array]::IndexOf($r.Progress, $left[0])
            $completedAt = [array]::IndexOf($r.Progress, @($bar | Where-Object RecordType -eq 'Completed')[0])
            $completedAt | Should -BeGreaterThan $leftAt
            $completedAt | Should -BeLessThan $lastKeeps -Because 'the bar of a job that left ends while the others go on'
        }
        @($r.Warnings | Where-Object Message -match 'Vanishes.*is gone').Count | Should -Be 1
        $byId = @{}
        $r.Output | ForEach-Object { $byId[$_.JobId] = $_.State }
        $byId[[Guid]'e5000000-0000-0000-0000-000000000011'] | Should -Be 'Cancelled'
        $byId[[Guid]'e5000000-0000-0000-0000-000000000012'] | Should -Be 'Acknowledged'
        $byId[[Guid]'e5000000-0000-0000-0000-000000000014'] | Should -Be 'Transferred'
        $byId.ContainsKey([Guid]'e5000000-0000-0000-0000-000000000013') | Should -BeFalse -Because 'a job that is gone has no final status'
    }

    It 'Stop() closes the queue and every job handle' {
        Set-BwScenario (@'
job {e5000000-0000-0000-0000-000000000021} name="Idle"
at 0 QUEUED bytes=0/?
'@)
        $ps = New-BwPowerShell
        try {
            $null = $ps.AddCommand('Watch-BitsJob').AddParameter('All', $true).AddParameter('IntervalMs', 200)
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (((Get-BwTestCounter JobOpen) -lt 1 -or (Get-BwTestCounter QueueOpen) -lt 1) -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            Start-Sleep -Milliseconds 300
            Assert-BwHandlesClosed -Held 1 -HeldQueues 1 -Because 'the watch holds its job and its queue while it runs'
            $ps.Stop()
            Assert-BwHandlesClosed -Because 'Stop() closes the queue and the job'
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Wait-BitsJob -All' {
    It 'ends with the jobs present when it started, while new ones keep arriving' {
        # One job present, done at 1 s; from 200 ms on, a new job every 200 ms,
        # each transferring for 3 s: the queue is never without an unfinished one.
        $lines = [System.Collections.Generic.List[string]]::new()
        $lines.Add('job {e5000000-0000-0000-0000-000000000031} name="Present"')
        $lines.Add('at 0 TRANSFERRING bytes=0/1000')
        $lines.Add('at 1000 TRANSFERRING bytes=1000/1000')
        $lines.Add('at 1001 TRANSFERRED')
        foreach ($k in 1..30) {
            $t = 200 * $k
            $lines.Add(('job {{e5000000-0000-0000-0001-{0:D12}}} name="Arrival {0}" created={1}' -f $k, $t))
            $lines.Add(('at {0} TRANSFERRING bytes=0/1000' -f $t))
            $lines.Add(('at {0} TRANSFERRING bytes=1000/1000' -f ($t + 3000)))
            $lines.Add(('at {0} TRANSFERRED' -f ($t + 3001)))
        }
        Set-BwScenario ($lines -join "`n")
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $r = @(Wait-BitsJob -All -TimeoutSec 20 -ErrorVariable ev)
        $sw.Stop()
        $ev.Count | Should -Be 0
        $r.Count | Should -Be 1
        $r[0].JobId | Should -Be ([Guid]'e5000000-0000-0000-0000-000000000031')
        $r[0].State | Should -Be 'Transferred'
        $sw.ElapsedMilliseconds | Should -BeLessThan 5000 -Because 'the jobs that arrived (each 3 s long, until 9 s) are not waited for'
        # They did arrive meanwhile.
        (Get-BitsJobStatus -SampleMs 0 | Where-Object DisplayName -like 'Arrival*').Count | Should -BeGreaterThan 2
        Assert-BwHandlesClosed -Because 'after Wait-BitsJob -All'
    }
}

Describe 'Queue (the C# wrapper of BwQueueOpen/Poll/GetJobs/Close)' {
    It 'reports jobs that arrive and leave, and Dispose closes its handle' {
        # The census is the process' (a count at most every 100 ms, the list
        # when the count moved or at least every 2 s): let the previous test's
        # list age past 2 s, so the first census lists this scenario's jobs
        # even when their number is the same.
        Start-Sleep -Milliseconds 2100
        Set-BwScenario (@'
job {e5000000-0000-0000-0000-000000000041}
job {e5000000-0000-0000-0000-000000000042} created=300
at 300 QUEUED
at 700 CANCELLED
'@)
        $q = [BitsWatch.Native.Queue]::Open($false)
        try {
            Assert-BwHandlesClosed -HeldQueues 1 -Because 'the test holds one queue'
            $first = $q.Poll(0)
            $first.Changed | Should -BeTrue
            $first.JobIds | Should -Be @([Guid]'e5000000-0000-0000-0000-000000000041')
            $first.Added | Should -Be @([Guid]'e5000000-0000-0000-0000-000000000041')
            $came = $q.Poll(3000)
            $came.Added | Should -Be @([Guid]'e5000000-0000-0000-0000-000000000042')
            $came.JobCount | Should -Be 2
            $went = $q.Poll(3000)
            $went.Removed | Should -Be @([Guid]'e5000000-0000-0000-0000-000000000042')
            $went.Added.Count | Should -Be 0
            $q.GetJobs() | Should -Be @([Guid]'e5000000-0000-0000-0000-000000000041')
        }
        finally {
            $q.Dispose()
        }
        $q.Handle.IsClosed | Should -BeTrue
        Assert-BwHandlesClosed -Because 'Dispose closed the queue'
        $q.Dispose()
        Assert-BwHandlesClosed -Because 'a second Dispose changes nothing'
        { $q.Poll(0) } | Should -Throw
    }

    It 'Open($true) without rights: TryOpen returns E_ACCESSDENIED and opens nothing' {
        Set-BwScenario 'job {e5000000-0000-0000-0000-000000000041}'
        $q = $null
        $failure = [BitsWatch.Native.Queue]::TryOpen($true, [ref]$q)
        '0x{0:X8}' -f $failure.HResult | Should -Be '0x80070005'
        $q | Should -BeNullOrEmpty
        Assert-BwHandlesClosed -Because 'a failed open holds nothing'
    }
}
