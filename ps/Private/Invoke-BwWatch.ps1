function Invoke-BwWatch {
    # The loop of Watch-BitsJob and Wait-BitsJob: waits on every job at once
    # until each is done (transferred, acknowledged, cancelled, in error, or
    # gone) or the timeout passes; returns the final status objects in the
    # order given (then those of jobs that arrived). Errors and warnings go
    # through the calling command's $PSCmdlet.
    #
    # -Follow (Watch-BitsJob -All): the queue is watched too (a Queue, polled
    # without waiting between the wait slices): a job created meanwhile gets
    # an entry and its own bar; a job that leaves the queue (cancelled,
    # acknowledged, gone) is read at once, its bar shows its last state and
    # why it left for LeftLingerMs, then ends. The watch ends when every job
    # it shows is done (a last look at the queue first).
    [CmdletBinding()]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [Guid[]] $JobId,

        [int] $IntervalMs = 200,

        [int] $TimeoutSec = 0,

        [switch] $Complete,

        [switch] $Display,

        [switch] $Listing,

        [switch] $Follow,

        [switch] $AllUsers
    )

    $entries = [System.Collections.Generic.List[object]]::new()
    $known = [System.Collections.Generic.HashSet[Guid]]::new()
    $queue = $null
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $lastDraw = -1000
    $drawPending = $false   # a change not drawn yet (the draws are throttled)
    try {
        if ($Follow) {
            # Opened before the jobs: its first census then lists every job
            # listed before it, and a job created since shows as new.
            $failure = [BitsWatch.Native.Queue]::TryOpen([bool]$AllUsers, [ref]$queue)
            if ($null -ne $failure) {
                $queue = $null
                $Cmdlet.WriteWarning(('The BITS queue cannot be watched ({0}); jobs created from now on are not shown.' -f $failure.Message))
            }
        }
        Open-BwJobEntry -Cmdlet $Cmdlet -JobId $JobId -Into $entries -Listing:$Listing
        foreach ($e in $entries) {
            $null = $known.Add($e.JobId)
        }

        while ($true) {
            $active = [System.Collections.Generic.List[object]]::new()
            foreach ($e in $entries) {
                if (-not $e.Done) {
                    $active.Add($e)
                }
            }
            if ($active.Count -eq 0 -and $null -ne $queue) {
                # Done with what it knows: a job created just now still counts.
                $before = $entries.Count
                if ((Receive-BwQueueChange -Cmdlet $Cmdlet -Queue $queue -Entry $entries -Known $known -Complete:$Complete) -eq 'Failed') {
                    $queue.Dispose()
                    $queue = $null
                }
                for ($i = $before; $i -lt $entries.Count; $i++) {
                    if (-not $entries[$i].Done) {
                        $active.Add($entries[$i])
                    }
                }
            }
            if ($active.Count -eq 0) {
                break
            }
            $remainingMs = [int]::MaxValue
            if ($TimeoutSec -gt 0) {
                $remainingMs = [int]($TimeoutSec * 1000 - $clock.ElapsedMilliseconds)
                if ($remainingMs -le 0) {
                    foreach ($e in $active) {
                        Write-BwWatchTimeout -Cmdlet $Cmdlet -Entry $e -TimeoutSec $TimeoutSec
                    }
                    break
                }
            }
            # One wait for the whole set (BwJobPollMany): a change of any job
            # ends it. A wait is at most MaxWaitMs, so Ctrl+C (which
            # PowerShell can act on only between calls) ends the command
            # promptly, and a followed queue is looked at between waits; a
            # change not drawn yet shortens it to its draw time, a bar that
            # lingers to its end.
            $wait = [math]::Min([math]::Min($IntervalMs, $remainingMs), $script:MaxWaitMs)
            if ($Display -and $drawPending) {
                $wait = [math]::Max(0, [math]::Min($wait, $script:DrawIntervalMs - ($clock.ElapsedMilliseconds - $lastDraw)))
            }
            if ($Display) {
                foreach ($e in $entries) {
                    if ($e.Done -and -not $e.BarEnded -and $e.LeftAtMs -ge 0) {
                        $wait = [math]::Max(0, [math]::Min($wait, $e.LeftAtMs + $script:LeftLingerMs - $clock.ElapsedMilliseconds))
                    }
                }
            }
            $jobs = [BitsWatch.Native.Job[]]::new($active.Count)
            for ($i = 0; $i -lt $active.Count; $i++) {
                $jobs[$i] = $active[$i].Job
            }
            $results = [BitsWatch.Native.Job]::PollMany($jobs, [uint32]$wait)
            $serviceDown = $false
            for ($i = 0; $i -lt $active.Count; $i++) {
                $outcome = Receive-BwPollResult -Cmdlet $Cmdlet -Entry $active[$i] -Result $results[$i] -Complete:$Complete
                if ($outcome -ne 'Quiet') {
                    $drawPending = $true
                }
                if ($outcome -eq 'ServiceDown') {
                    $serviceDown = $true
                }
            }
            if ($null -ne $queue) {
                $outcome = Receive-BwQueueChange -Cmdlet $Cmdlet -Queue $queue -Entry $entries -Known $known -Complete:$Complete
                if ($outcome -eq 'Changed') {
                    $drawPending = $true
                }
                elseif ($outcome -eq 'Failed') {
                    $queue.Dispose()
                    $queue = $null
                }
            }
            if ($serviceDown -and $wait -gt 0) {
                # The library answered at once: the wait did not happen there.
                [System.Threading.Thread]::Sleep($wait)
            }
            if ($Display) {
                # A job that left the queue: its last state and why, at once
                # (not throttled: the watch may end before the next draw).
                foreach ($e in $entries) {
                    if ($e.Done -and $e.Left -and $e.LeftAtMs -lt 0) {
                        $e.LeftAtMs = $clock.ElapsedMilliseconds
                        Show-BwProgress -Entry $e
                        Write-Verbose ('BITS job {0} ({1}) left the queue: {2}.' -f $e.JobId, $e.Name, $e.Left)
                    }
                }
            }
            if ($Display -and $drawPending -and ($clock.ElapsedMilliseconds - $lastDraw) -ge $script:DrawIntervalMs) {
                $lastDraw = $clock.ElapsedMilliseconds
                $drawPending = $false
                foreach ($e in $entries) {
                    if (-not $e.Done) {
                        Show-BwProgress -Entry $e
                    }
                    elseif (-not $e.BarEnded -and $e.LeftAtMs -lt 0) {
                        Show-BwProgress -Entry $e -Completed
                    }
                }
            }
            if ($Display) {
                # The bars of jobs that left end once they have been seen.
                foreach ($e in $entries) {
                    if ($e.Done -and -not $e.BarEnded -and $e.LeftAtMs -ge 0 -and
                        $clock.ElapsedMilliseconds - $e.LeftAtMs -ge $script:LeftLingerMs) {
                        Show-BwProgress -Entry $e -Completed
                    }
                }
            }
        }

        # Jobs that did not finish (timeout): as they are now.
        Read-BwUnfinishedJobInfo -Entry $entries
    }
    finally {
        # Also on Ctrl+C: every handle is closed first (a stopping pipeline
        # refuses further commands), then the bars are ended if it still can.
        if ($null -ne $queue) {
            $queue.Dispose()
        }
        Close-BwJobEntry -Entry $entries
        if ($Display) {
            try {
                foreach ($e in $entries) {
                    Show-BwProgress -Entry $e -Completed
                }
            }
            catch {
                Write-Verbose ('Progress bars not ended: {0}' -f $_.Exception.Message)
            }
        }
    }
    foreach ($e in $entries) {
        if ($null -ne $e.Status) {
            $e.Status
        }
    }
}
