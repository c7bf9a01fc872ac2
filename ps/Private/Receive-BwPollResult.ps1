function Receive-BwPollResult {
    # Takes one job's part of a set wait (Job.PollMany) into its entry and
    # acts on it (Invoke-BwWatchEntry; Write-BwWatchFailure). Returns what it
    # was: 'Quiet' (nothing new, and the same rate and ETA: nothing to show),
    # 'Changed' (something to show) or 'ServiceDown' (the service is
    # restarting: the job stays watched, the caller waits before the next
    # call, which would fail at once).
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        $Entry,

        [Parameter(Mandatory = $true)]
        [BitsWatch.Native.PollResult] $Result,

        [switch] $Complete
    )

    $e = $Entry
    $failure = $Result.Failure
    if ($null -eq $failure) {
        # A final job not Done yet (its -Complete failed while the service
        # restarted) is not quiet: it is tried again.
        $s = $Result.Status
        if (-not $Result.Changed -and $null -ne $e.Status -and -not $s.IsFinal -and
            $s.BytesPerSecond -eq $e.Raw.BytesPerSecond -and $s.EtaSeconds -eq $e.Raw.EtaSeconds) {
            $e.Raw = $s
            $e.WarnedService = $false
            return 'Quiet'
        }
        $failure = Receive-BwJobSnapshot -Entry $e -Raw $s
        if ($null -eq $failure) {
            $failure = Invoke-BwWatchEntry -Cmdlet $Cmdlet -Entry $e -Complete:$Complete
        }
    }
    if ($null -eq $failure) {
        $e.WarnedService = $false
        return 'Changed'
    }
    if (Write-BwWatchFailure -Cmdlet $Cmdlet -Entry $e -Failure $failure) {
        return 'ServiceDown'
    }
    return 'Changed'
}
