function ConvertTo-BwJobStatus {
    # A plain, serializable status object from what the DLL returned.
    [CmdletBinding()]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(Mandatory = $true)]
        $Status,

        [AllowNull()]
        $Info,

        [AllowNull()]
        $JobError
    )

    # The name (BitsWatch.JobStatus objects carry it as text: it survives
    # serialization as it is); an unknown value shows as its number.
    $state = [string]$Status.State
    $total = $null
    $percent = $null
    if ($Status.BytesTotal -ne $script:SizeUnknown) {
        $total = $Status.BytesTotal
        if ($total -gt 0) {
            $percent = [math]::Round(100.0 * $Status.BytesTransferred / $total, 1)
        }
        elseif ($state -eq 'Transferred' -or $state -eq 'Acknowledged') {
            # Nothing to move, and done. A cancelled job of 0 bytes is not 100%.
            $percent = 100.0
        }
    }
    $replyTotal = $null
    if ($Status.ReplyBytesTotal -ne $script:SizeUnknown) {
        $replyTotal = $Status.ReplyBytesTotal
    }
    # No time left to show for a job that is not going to move any more
    # (the library's 0 for a finished job read 00:00:00).
    $eta = $null
    if ($Status.EtaSeconds -ge 0 -and $state -notin 'Error', 'Transferred', 'Acknowledged', 'Cancelled') {
        $eta = [TimeSpan]::FromSeconds($Status.EtaSeconds)
    }

    $displayName = $null
    $description = $null
    $owner = $null
    $priority = $null
    $errorCount = $null
    $creation = $null
    $modification = $null
    $completion = $null
    if ($null -ne $Info) {
        $displayName = ConvertTo-BwDisplayText $Info.DisplayName
        $description = ConvertTo-BwDisplayText $Info.Description
        $owner = ConvertTo-BwDisplayText $Info.Owner
        $priority = Get-BwName $script:PriorityNames $Info.Priority
        $errorCount = $Info.ErrorCount
        $creation = ConvertTo-BwLocalTime $Info.CreationTime
        $modification = ConvertTo-BwLocalTime $Info.ModificationTime
        $completion = ConvertTo-BwLocalTime $Info.TransferCompletionTime
    }
    $errorDescription = $null
    $contextDescription = $null
    $remoteName = $null
    $localName = $null
    $protocol = $null
    if ($null -ne $JobError) {
        $errorDescription = ConvertTo-BwDisplayText $JobError.Description
        $contextDescription = ConvertTo-BwDisplayText $JobError.ContextDescription
        $remoteName = ConvertTo-BwDisplayText $JobError.RemoteName
        $localName = ConvertTo-BwDisplayText $JobError.LocalName
        $protocol = ConvertTo-BwDisplayText $JobError.Protocol
    }

    # No error, no context ("None" only said there was nothing to say).
    $errorContext = $null
    if ($Status.ErrorCode -ne 0) {
        $errorContext = Get-BwName $script:ContextNames $Status.ErrorContext
    }

    [PSCustomObject]@{
        PSTypeName              = 'BitsWatch.JobStatus'
        JobId                   = $Status.JobId
        DisplayName             = $displayName
        State                   = $state
        Type                    = Get-BwName $script:TypeNames $Status.Type
        Priority                = $priority
        BytesTotal              = $total
        BytesTransferred        = $Status.BytesTransferred
        FilesTotal              = $Status.FilesTotal
        FilesTransferred        = $Status.FilesTransferred
        Percent                 = $percent
        BytesPerSecond          = $Status.BytesPerSecond
        Eta                     = $eta
        ReplyBytesTotal         = $replyTotal
        ReplyBytesTransferred   = $Status.ReplyBytesTransferred
        ErrorCode               = $Status.ErrorCode
        ErrorContext            = $errorContext
        ErrorDescription        = $errorDescription
        ErrorContextDescription = $contextDescription
        ErrorRemoteName         = $remoteName
        ErrorLocalName          = $localName
        ErrorProtocol           = $protocol
        ErrorCount              = $errorCount
        Description             = $description
        Owner                   = $owner
        CreationTime            = $creation
        ModificationTime        = $modification
        TransferCompletionTime  = $completion
        Timestamp               = ConvertTo-BwLocalTime $Status.Timestamp
    }
}
