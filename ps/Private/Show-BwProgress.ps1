function Show-BwProgress {
    # One Write-Progress bar for the job, and a child bar for its reply.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        $Entry,

        [switch] $Completed
    )

    $id = $script:ProgressIdBase + 2 * $Entry.Index
    $activity = $Entry.Name
    $isReply = $null -ne $Entry.Status -and $Entry.Status.Type -eq 'UploadReply'
    if ($Completed) {
        if ($isReply) {
            Write-Progress -Id ($id + 1) -ParentId $id -Activity 'Reply' -Completed
        }
        Write-Progress -Id $id -Activity $activity -Completed
        return
    }
    $s = $Entry.Status
    if ($null -eq $s) {
        return
    }
    $percent = -1
    if ($null -ne $s.Percent) {
        $percent = [int][math]::Min(100, [math]::Floor($s.Percent))
    }
    $progress = @{
        Id              = $id
        Activity        = $activity
        Status          = Format-BwStatusLine -JobStatus $s
        PercentComplete = $percent
    }
    if ($null -ne $s.Eta) {
        $progress['SecondsRemaining'] = [int][math]::Min([int]::MaxValue, $s.Eta.TotalSeconds)
    }
    Write-Progress @progress
    if ($isReply) {
        $replyPercent = -1
        $replyStatus = 'Reply: waiting for the server'
        if ($null -ne $s.ReplyBytesTotal) {
            $replyStatus = 'Reply: {0} / {1}' -f (Format-BwByteCount $s.ReplyBytesTransferred), (Format-BwByteCount $s.ReplyBytesTotal)
            if ($s.ReplyBytesTotal -gt 0) {
                $replyPercent = [int][math]::Min(100, [math]::Floor(100.0 * $s.ReplyBytesTransferred / $s.ReplyBytesTotal))
            }
        }
        Write-Progress -Id ($id + 1) -ParentId $id -Activity 'Reply' -Status $replyStatus -PercentComplete $replyPercent
    }
}
