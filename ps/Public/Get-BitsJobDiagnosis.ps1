function Get-BitsJobDiagnosis {
    <#
    .SYNOPSIS
    Says why a BITS job is where it is: the cause, the evidence and what to do.

    .DESCRIPTION
    Get-BitsJobDiagnosis reads each job through bitswatch.dll's BwJobDiagnose
    (its state, progress, error, times, owner, retry delay, no-progress
    timeout, proxy settings, files and, for a queued job, the other jobs of the
    queue) and matches it against the library's rule table: the same rules,
    word for word, as "bitswatch.exe why". It returns one
    BitsWatch.JobDiagnosis object per job with:

    - Verdict: Moving, Finished, Suspended (never resumed), NotCompleted
      (transferred, never completed), RetryWait (a transient error, waiting
      to retry), QueuedBehind (other jobs transfer first), QueuedIdle,
      RemoteError (404, 401...), ProxyError (407), NoRangeSupport,
      LocalError, Error, ConnectingLong, Stalled, OwnerLoggedOff or Unknown;
    - Explanation: one line, what is going on;
    - Evidence: "Name: value" lines (values the service does not give read
      "unknown");
    - Action: one line, what to do;
    - Since and Due: since when the verdict holds and when BITS acts next by
      itself (the retry, giving up, cancelling an uncompleted job), local
      time, or $null when not known.

    A diagnosis costs more than a status read (about 11 round trips to BITS
    plus 3 per file, and for a queued job a few per other job): ask it when a
    person asks "why", not in a loop. A job that is transferring is judged
    stalled only from what this command saw, so a first diagnosis of a moving
    job says Moving.

    Without -JobId it diagnoses every job of the current user (-AllUsers:
    every user's, which needs an elevated session), or those whose display
    name matches -Name.

    .PARAMETER JobId
    The GUIDs of the jobs: GUIDs, GUID strings, or objects with a JobId
    property (Get-BitsTransfer or Get-BitsJobStatus output), also from the
    pipeline.

    .PARAMETER BitsJob
    BITS job objects (Get-BitsTransfer output, live or deserialized).

    .PARAMETER Name
    Diagnoses only the jobs whose display name matches one of these names
    (wildcards allowed, case-insensitive). The first positional parameter.

    .PARAMETER AllUsers
    Diagnoses the jobs of every user. Needs administrator rights.

    .PARAMETER NoQueue
    Does not look at the other jobs of the queue (cheaper; a queued job's
    verdict is then QueuedIdle at best).

    .EXAMPLE
    Get-BitsJobDiagnosis

    Every job of the current user with its verdict, explanation, evidence and
    the action to take.

    .EXAMPLE
    Get-BitsJobStatus | Where-Object State -ne 'Transferring' | Get-BitsJobDiagnosis | Format-Table DisplayName, Verdict, Action -Wrap

    Why the jobs that do not move do not move, one line each.

    .EXAMPLE
    Invoke-Command -ComputerName web1, web2 { Get-BitsJobDiagnosis -AllUsers } | Where-Object Verdict -notin 'Moving', 'Finished'

    The stuck jobs of two machines over PowerShell remoting.

    .INPUTS
    System.Guid, System.String, or any object with a JobId property.

    .OUTPUTS
    BitsWatch.JobDiagnosis

    .LINK
    Get-BitsJobStatus

    .LINK
    Wait-BitsJob
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType('BitsWatch.JobDiagnosis')]
    param(
        [Parameter(ParameterSetName = 'ById', Mandatory = $true, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [BitsWatch.Native.JobIdTransformation()]
        [Guid[]] $JobId,

        [Parameter(ParameterSetName = 'BitsJob', Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [object[]] $BitsJob,

        [Parameter(ParameterSetName = 'List', Position = 0)]
        [ValidateNotNullOrEmpty()]
        [SupportsWildcards()]
        [string[]] $Name,

        [Parameter(ParameterSetName = 'List')]
        [switch] $AllUsers,

        [switch] $NoQueue
    )

    begin {
        $ids = [System.Collections.Generic.List[Guid]]::new()
    }
    process {
        Add-BwJobIdInput -Cmdlet $PSCmdlet -Into $ids -JobId $JobId -BitsJob $BitsJob
    }
    end {
        $listing = $PSCmdlet.ParameterSetName -eq 'List'
        if ($listing) {
            $list = @(Get-BwJobIdList -Cmdlet $PSCmdlet -JobId @() -List -Name $Name -AllUsers:$AllUsers)
        }
        else {
            $list = @(Get-BwJobIdList -Cmdlet $PSCmdlet -JobId $ids.ToArray())
        }
        foreach ($id in $list) {
            $job = $null
            $diagnosis = $null
            $info = $null
            $failure = [BitsWatch.Native.Job]::TryOpen($id, [ref]$job)
            try {
                if ($null -eq $failure) {
                    $failure = $job.TryDiagnose([bool]$NoQueue, [ref]$diagnosis)
                }
                if ($null -eq $failure) {
                    # The name is for people; a job without one keeps its GUID.
                    $null = $job.TryGetInfo([ref]$info)
                }
            }
            finally {
                if ($null -ne $job) {
                    $job.Dispose()
                }
            }
            if ($null -ne $failure) {
                # A listed job that left the queue meanwhile is no error.
                if (-not ($listing -and $failure.HResult -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND)) {
                    Write-BwJobError -Cmdlet $PSCmdlet -JobId $id -Exception $failure
                }
                continue
            }
            $shown = $null
            if ($null -ne $info) {
                $shown = ConvertTo-BwDisplayText $info.DisplayName
            }
            [PSCustomObject]@{
                PSTypeName  = 'BitsWatch.JobDiagnosis'
                JobId       = $id
                DisplayName = $shown
                State       = [string][BitsWatch.Native.JobState]$diagnosis.State
                Verdict     = $diagnosis.Verdict
                Explanation = ConvertTo-BwDisplayText $diagnosis.Explanation
                Evidence    = [string[]]@($diagnosis.Evidence | ForEach-Object { ConvertTo-BwDisplayText $_ })
                Action      = ConvertTo-BwDisplayText $diagnosis.Action
                Since       = ConvertTo-BwLocalTime $diagnosis.Since
                Due         = ConvertTo-BwLocalTime $diagnosis.Due
                ErrorCode   = $diagnosis.ErrorCode
                RoundTrips  = $diagnosis.RoundTrips
            }
        }
    }
}
