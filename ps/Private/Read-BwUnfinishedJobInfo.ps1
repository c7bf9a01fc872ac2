function Read-BwUnfinishedJobInfo {
    # After a timeout: the info (owner, times, name) of each job that did not
    # finish, read once more, so the status objects returned say how it is
    # now. A job that cannot be read keeps what it had (said with -Verbose).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.List[object]] $Entry
    )

    foreach ($e in $Entry) {
        if ($null -eq $e.Job -or $null -eq $e.Raw -or $e.Raw.IsFinal -or $null -eq $e.Status) {
            continue
        }
        $info = $null
        $failure = $e.Job.TryGetInfo([ref]$info)
        if ($null -eq $failure) {
            $e.Info = $info
            $e.Status = ConvertTo-BwJobStatus -Status $e.Raw -Info $e.Info -JobError $e.JobError
        }
        else {
            Write-Verbose ('BITS job {0}: info not read again: {1}' -f $e.JobId, $failure.Message)
        }
    }
}
