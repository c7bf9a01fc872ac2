function Invoke-BwWatch {
    # The loop of Watch-BitsJob and Wait-BitsJob: waits on every job at once
    # until each is done (transferred, acknowledged, cancelled, in error, or
    # gone) or the timeout passes; returns the final status objects in the
    # order given. Errors and warnings go through the calling command's
    # $PSCmdlet.
    [CmdletBinding()]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [Guid[]] $JobId,

        [int] $IntervalMs = 500,

        [int] $TimeoutSec = 0,

        [switch] $Complete,

        [switch] $Display,

        [switch] $Listing
    )

    $entries = New-Object -TypeName System.Collections.Generic.List[object]
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $lastDraw = -1000
    $drawPending = $false   # a change not drawn yet (the draws are throttled)
    try {
        Open-BwJobEntry -Cmdlet $Cmdlet -JobId $JobId -Into $entries -Listing:$Listing

        while ($true) {
            $active = New-Object -TypeName System.Collections.Generic.List[object]
            foreach ($e in $entries) {
                if (-not $e.Done) {
                    $active.Add($e)
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
            # promptly; a change not drawn yet shortens it to its draw time.
            $wait = [math]::Min([math]::Min($IntervalMs, $remainingMs), $script:MaxWaitMs)
            if ($Display -and $drawPending) {
                $wait = [math]::Max(0, [math]::Min($wait, $script:DrawIntervalMs - ($clock.ElapsedMilliseconds - $lastDraw)))
            }
            $jobs = New-Object -TypeName 'BitsWatch.Native.Job[]' -ArgumentList $active.Count
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
            if ($serviceDown -and $wait -gt 0) {
                # The library answered at once: the wait did not happen there.
                [System.Threading.Thread]::Sleep($wait)
            }
            if ($Display -and $drawPending -and ($clock.ElapsedMilliseconds - $lastDraw) -ge $script:DrawIntervalMs) {
                $lastDraw = $clock.ElapsedMilliseconds
                $drawPending = $false
                foreach ($e in $entries) {
                    if ($e.Done) {
                        Show-BwProgress -Entry $e -Completed
                    }
                    else {
                        Show-BwProgress -Entry $e
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
