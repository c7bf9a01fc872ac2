function Show-BwProgress {
    # One Write-Progress bar for the job, and a child bar for its reply. A job
    # that left the queue shows the last state its bar had (or has now) and
    # why it left: "Left the queue (cancelled): Cancelled: 40 B / 100 B (40%)".
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        $Entry,

        [switch] $Completed
    )

    $id = $script:ProgressIdBase + 2 * $Entry.Index
    $activity = $Entry.Name
    $s = $Entry.Status
    if ($null -eq $s) {
        $s = $Entry.LastStatus
    }
    $isReply = $null -ne $s -and $s.Type -eq 'UploadReply'
    if ($Completed) {
        if ($isReply) {
            Write-Progress -Id ($id + 1) -ParentId $id -Activity 'Reply' -Completed
        }
        Write-Progress -Id $id -Activity $activity -Completed
        $Entry.BarEnded = $true
        return
    }
    if ($null -eq $s) {
        return
    }
    $Entry.LastStatus = $s
    $percent = -1
    if ($null -ne $s.Percent) {
        $percent = [int][math]::Min(100, [math]::Floor($s.Percent))
    }
    if ($Entry.Left) {
        $line = 'Left the queue ({0}): {1}' -f $Entry.Left, (Format-BwStatusLine -JobStatus $s -NoRate)
    }
    else {
        $line = Format-BwStatusLine -JobStatus $s
    }
    $progress = @{
        Id              = $id
        Activity        = $activity
        Status          = $line
        PercentComplete = $percent
    }
    if ($null -ne $s.Eta -and -not $Entry.Left) {
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
