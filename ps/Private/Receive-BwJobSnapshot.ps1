function Receive-BwJobSnapshot {
    # Takes a snapshot the library returned for an open job into its entry:
    # the error in an error state (read again when the snapshot changed), the
    # info (read again when the job is final or with -FreshInfo; else the one
    # read before), and the status object. Returns $null, or the library's
    # exception (returned, not thrown: see Job.TryPoll).
    [CmdletBinding()]
    [OutputType([BitsWatch.Native.BitsWatchException])]
    param(
        [Parameter(Mandatory = $true)]
        $Entry,

        [Parameter(Mandatory = $true)]
        [BitsWatch.Native.JobStatus] $Raw,

        [switch] $FreshInfo
    )

    $Entry.Raw = $Raw
    if ($Raw.State -in [BitsWatch.Native.JobState]::Error, [BitsWatch.Native.JobState]::TransientError) {
        if ($Raw.Changed -or $null -eq $Entry.JobError) {
            $jobError = $null
            $failure = $Entry.Job.TryGetError([ref]$jobError)
            if ($null -ne $failure) {
                return $failure
            }
            $Entry.JobError = $jobError
        }
    }
    else {
        $Entry.JobError = $null
    }
    if ($FreshInfo -or $Raw.IsFinal -or $null -eq $Entry.Info) {
        $info = $null
        $failure = $Entry.Job.TryGetInfo([ref]$info)
        if ($null -ne $failure) {
            return $failure
        }
        $Entry.Info = $info
    }
    $Entry.Status = ConvertTo-BwJobStatus -Status $Raw -Info $Entry.Info -JobError $Entry.JobError
    return $null
}
