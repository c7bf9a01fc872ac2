function Receive-BwQueueChange {
    # Watch-BitsJob -All following the queue: one look at the queue's census
    # (Queue.Poll with no wait: the library counts the jobs at most every
    # 100 ms whatever their number, and lists them only when that moved), so
    # the caller's waits on the jobs (BwJobPollMany slices) and this take
    # turns and neither starves. A job the watch does not know yet gets an
    # entry (Open-BwJobEntry, after the others) once it is open; a watched
    # job the queue no longer lists (cancelled, completed, gone) is read now,
    # so it shows its last state and why it left (Invoke-BwWatchEntry,
    # Write-BwWatchFailure).
    # Returns 'Quiet', 'Changed' (something to show) or 'Failed': the queue
    # cannot be read any more (not a restarting service: that one is waited
    # out); a warning said so, and the caller stops following it.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [BitsWatch.Native.Queue] $Queue,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.List[object]] $Entry,

        # The GUIDs of every entry (kept up to date here).
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.HashSet[Guid]] $Known,

        [switch] $Complete
    )

    $qs = $null
    $failure = $Queue.TryPoll(0, [ref]$qs)
    if ($null -ne $failure) {
        if ($script:ServiceDownCodes -contains $failure.HResult) {
            return 'Quiet'   # the job reads say so; the next census will work again
        }
        $Cmdlet.WriteWarning(('The BITS queue cannot be read ({0}); jobs created from now on are not shown.' -f $failure.Message))
        return 'Failed'
    }
    if (-not $qs.Changed) {
        return 'Quiet'
    }
    $outcome = 'Quiet'

    # Jobs that arrived (in the census' GUID order).
    $new = [System.Collections.Generic.List[Guid]]::new()
    foreach ($id in $qs.JobIds) {
        if ($Known.Add($id)) {
            $new.Add($id)
        }
    }
    foreach ($id in $new) {
        # -Listing: one that is gone again before it could be opened is no
        # error; it gets no entry (nor a bar), and any that cannot be opened
        # for another reason has had its error.
        $opened = [System.Collections.Generic.List[object]]::new()
        Open-BwJobEntry -Cmdlet $Cmdlet -JobId $id -Into $opened -Listing -FirstIndex $Entry.Count
        if ($null -ne $opened[0].Job) {
            $Entry.Add($opened[0])
            Write-Verbose ('BITS job {0} ({1}) appeared in the queue.' -f $id, $opened[0].Name)
            $outcome = 'Changed'
        }
    }

    # Jobs that left: read at once rather than at their next quiet read.
    if ($qs.Removed.Count -gt 0) {
        $gone = [System.Collections.Generic.HashSet[Guid]]::new([Guid[]]$qs.Removed)
        foreach ($e in $Entry) {
            if ($e.Done -or $null -eq $e.Job -or -not $gone.Contains($e.JobId)) {
                continue
            }
            $failure = Read-BwJobStatus -Entry $e
            if ($null -eq $failure) {
                $failure = Invoke-BwWatchEntry -Cmdlet $Cmdlet -Entry $e -Complete:$Complete
            }
            if ($null -ne $failure) {
                $null = Write-BwWatchFailure -Cmdlet $Cmdlet -Entry $e -Failure $failure
            }
            $outcome = 'Changed'
        }
    }
    return $outcome
}
