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
    The longest single wait inside bitswatch.dll, 50 to 200 ms (default 200).
    A change of any job ends a wait at once, whatever this is; between two
    waits the command looks at Ctrl+C (and, for Watch-BitsJob -All, at the
    queue), so a shorter interval makes more calls into the library for the
    same idle jobs (about 1000/IntervalMs a second), and nothing else.

    .PARAMETER Complete
    Completes each job that reaches Transferred, so its files appear at their
    destination. Supports -WhatIf and -Confirm; with -All or -Name it asks
    first (as a high-impact action) unless -Force (or -Confirm:$false).

    .PARAMETER Force
    With -Complete and -All or -Name: completes the listed jobs without asking
    first. Needed in scripts and non-interactive sessions (pwsh
    -NonInteractive, scheduled tasks, remoting), where the question cannot be
    asked: without -Force the command stops there with the error
    BitsWatch.ConfirmationRequired.

    .PARAMETER WhatIf
    With -Complete: shows which jobs would be completed, and completes none.

    .PARAMETER Confirm
    With -Complete: asks before completing each job.

    .PARAMETER Session
    Runs the command on the machines of these PowerShell remoting sessions
    (New-PSSession -ComputerName or -HostName), all at once, where BitsWatch
    of this version must be installed (Install-BitsWatch). The objects come
    back with PSComputerName. A machine that fails (its session broken or
    closed, BitsWatch not installed or of another version, access denied,
    its jobs' own errors) writes errors whose TargetObject is its name; the
    other machines' results still come back. Objects piped in from a -Session
    command (or Invoke-Command) go back to the machine they came from.

    .PARAMETER ThrottleLimit
    With -Session: how many machines run the command at the same time
    (default 32; 0: all).

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
    BitsWatch.JobStatus: one per job that could be read to the end, in the
    order given (a job given twice, once). A given job that is missing at the
    start or vanishes during the wait has no object and writes a
    non-terminating BitsWatch.JobNotFound error (so -ErrorAction Stop stops
    there); match results to input by JobId, not by position. With -All or
    -Name, a listed job that vanishes writes a warning instead.

    .NOTES
    BITSWATCH_NATIVE_LIBRARY (the full path of a library) replaces the
    module's bitswatch.dll; see Get-Help Get-BitsJobStatus -Full.
    .LINK
    Watch-BitsJob

    .LINK
    Get-BitsJobStatus

    .LINK
    Get-BitsTransfer
    #>
    [CmdletBinding(DefaultParameterSetName = 'ById', SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(ParameterSetName = 'ById', Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
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

        [ValidateRange(50, 200)]
        [int] $IntervalMs = 200,

        [switch] $Complete,

        [switch] $Force,

        # The fleet: run on these PowerShell remoting sessions (any transport).
        [ValidateNotNullOrEmpty()]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [ValidateRange(0, 1000)]
        [int] $ThrottleLimit = 32
    )

    begin {
        $ids = [System.Collections.Generic.List[Guid]]::new()
        $route = [System.Collections.Generic.List[object]]::new()
    }
    process {
        if ($PSBoundParameters.ContainsKey('Session')) {
            Add-BwFleetInput -Cmdlet $PSCmdlet -Into $route -InputObject $_ -JobId $JobId -BitsJob $BitsJob
            return
        }
        Add-BwJobIdInput -Cmdlet $PSCmdlet -Into $ids -JobId $JobId -BitsJob $BitsJob
    }
    end {
        if ($PSBoundParameters.ContainsKey('Session')) {
            Invoke-BwFleetCommand -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Route $route
            return
        }
        Invoke-BwWatchCommand -Cmdlet $PSCmdlet -JobId $ids.ToArray() -Name $Name -AllUsers:$AllUsers -IntervalMs $IntervalMs -TimeoutSec $TimeoutSec -Complete:$Complete -Force:$Force -ConfirmPreferenceValue $ConfirmPreference -WhatIf ([bool]$WhatIfPreference)
    }
}
