function Measure-BwJobRate {
    # Get-BitsJobStatus's rate: the entries of moving jobs (connecting,
    # transferring) read again SampleMs after their first read, on the same
    # handles, so the library measures BytesPerSecond and the ETA. The time
    # passes inside BwJobPoll on one of them (it returns early on a change,
    # so the loop waits in short steps). A job that fails the second read
    # loses its status (an error through the command; none when it was
    # listed and is gone, as in the first read).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.List[object]] $Entry,

        [Parameter(Mandatory = $true)]
        [int] $SampleMs,

        # The jobs were listed (not given): one that is gone is left out silently.
        [switch] $Listing
    )

    $moving = [System.Collections.Generic.List[object]]::new()
    foreach ($e in $Entry) {
        if ($e.Raw.State -in [BitsWatch.Native.JobState]::Connecting, [BitsWatch.Native.JobState]::Transferring) {
            $moving.Add($e)
        }
    }
    if ($SampleMs -le 0 -or $moving.Count -eq 0) {
        return
    }
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $last = $moving[$moving.Count - 1]
    $ignored = $null
    while ($clock.ElapsedMilliseconds -lt $SampleMs) {
        $wait = [math]::Min($script:MaxWaitMs, $SampleMs - $clock.ElapsedMilliseconds)
        if ($null -ne $last.Job.TryPoll([uint32][math]::Max(1, $wait), [ref]$ignored)) {
            break   # its own read below reports what went wrong
        }
    }
    foreach ($e in $moving) {
        $failure = Read-BwJobStatus -Entry $e
        if ($null -ne $failure) {
            if (-not ($Listing -and $failure.HResult -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND)) {
                Write-BwJobError -Cmdlet $Cmdlet -JobId $e.JobId -Exception $failure
            }
            $e.Status = $null
        }
    }
}
