function Wait-BitsJob {
    <#
    .SYNOPSIS
    Waits until BITS transfer jobs finish and returns their final status.

    .DESCRIPTION
    Wait-BitsJob is Watch-BitsJob without a display: it waits inside
    bitswatch.dll, on all the jobs at once (BwJobPollMany; no Start-Sleep
    loop), until every job is transferred,
    acknowledged, cancelled, in error or gone, or until -TimeoutSec passes, and
    returns one BitsWatch.JobStatus object per job. Jobs in error write a
    non-terminating error with their description; a timeout writes a
    non-terminating error per unfinished job (the objects returned then still
    have the job's owner, times and name). A suspended job, or one in a
    transient error, writes a warning once and is waited for. Ctrl+C ends the
    wait within about 200 ms.

    With -All (and -Name) it waits for the jobs there when it starts, and for
    no other: a job created while it waits is not waited for (nor returned),
    so it ends however many jobs keep arriving. To see new jobs too, use
    Watch-BitsJob -All; to wait for them, run Wait-BitsJob -All again.

    .PARAMETER JobId
    The GUIDs of the jobs: GUIDs, GUID strings, or objects with a JobId
    property (Get-BitsTransfer output), also from the pipeline.

    .PARAMETER BitsJob
    BITS job objects (Get-BitsTransfer output, live or deserialized).

    .PARAMETER All
    Waits for every job of the current user (every user's with -AllUsers)
    that is in the queue when the command starts; jobs created later are not
    waited for.

    .PARAMETER Name
    Waits for the jobs whose display name matches one of these names
    (wildcards allowed), like Get-BitsTransfer -Name.

    .PARAMETER AllUsers
    With -All or -Name: every user's jobs (needs an elevated session).

    .PARAMETER TimeoutSec
    Stops waiting after this many seconds (0, the default: no limit).

    .PARAMETER IntervalMs
    The longest single wait inside bitswatch.dll when nothing changes (50 to
    60000, default 500; a wait never lasts more than 200 ms). A change of any
    job ends the wait at once.

    .PARAMETER Complete
    Completes each job that reaches Transferred, so its files appear at their
    destination. Supports -WhatIf and -Confirm; with -All or -Name it asks
    first (as a high-impact action) unless -Confirm:$false.

    .PARAMETER WhatIf
    With -Complete: shows which jobs would be completed, and completes none.

    .PARAMETER Confirm
    With -Complete: asks before completing each job.

    .EXAMPLE
    $job = Start-BitsTransfer -Source https://example.com/setup.msi -Destination C:\Temp -Asynchronous
    $status = $job | Wait-BitsJob -Complete -TimeoutSec 300
    if ($status.State -ne 'Acknowledged') { throw "Download failed: $($status.ErrorDescription)" }

    Downloads a file in a script and fails clearly when the download does not finish.

    .EXAMPLE
    Wait-BitsJob -All -TimeoutSec 60 | Format-Table

    Waits up to a minute for every job of the current user.

    .EXAMPLE
    Wait-BitsJob -BitsJob (Get-BitsTransfer -Name 'Nightly build') | ForEach-Object { Get-BitsTransfer -JobId $_.JobId } | Complete-BitsTransfer

    Waits for a job, then hands it back to BitsTransfer's Complete-BitsTransfer.

    .INPUTS
    System.Guid, System.String, or any object with a JobId property (Get-BitsTransfer output).

    .OUTPUTS
    BitsWatch.JobStatus

    .NOTES
    BITSWATCH_NATIVE_LIBRARY (the full path of a library) replaces the
    module's bitswatch.dll; see Get-Help Get-BitsJobStatus -Full.
    #>
    [CmdletBinding(DefaultParameterSetName = 'ById', SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(ParameterSetName = 'ById', Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Id', 'Guid')]
        [BitsWatch.Native.JobIdTransformation()]
        [Guid[]] $JobId,

        [Parameter(ParameterSetName = 'BitsJob', Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [object[]] $BitsJob,

        [Parameter(ParameterSetName = 'All', Mandatory = $true)]
        [switch] $All,

        [Parameter(ParameterSetName = 'Name', Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [SupportsWildcards()]
        [string[]] $Name,

        [Parameter(ParameterSetName = 'All')]
        [Parameter(ParameterSetName = 'Name')]
        [switch] $AllUsers,

        [ValidateRange(0, 2147483)]
        [int] $TimeoutSec = 0,

        [ValidateRange(50, 60000)]
        [int] $IntervalMs = 500,

        [switch] $Complete
    )

    begin {
        $ids = New-Object -TypeName System.Collections.Generic.List[Guid]
    }
    process {
        Add-BwJobIdInput -Cmdlet $PSCmdlet -Into $ids -JobId $JobId -BitsJob $BitsJob
    }
    end {
        Invoke-BwWatchCommand -Cmdlet $PSCmdlet -JobId $ids.ToArray() -Name $Name -AllUsers:$AllUsers -IntervalMs $IntervalMs -TimeoutSec $TimeoutSec -Complete:$Complete -ConfirmPreferenceValue $ConfirmPreference -WhatIf ([bool]$WhatIfPreference)
    }
}
