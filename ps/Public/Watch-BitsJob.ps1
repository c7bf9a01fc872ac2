function Watch-BitsJob {
    <#
    .SYNOPSIS
    Shows live progress bars for BITS transfer jobs until they finish.

    .DESCRIPTION
    Watch-BitsJob shows one Write-Progress bar per job (and a child bar with the
    reply progress of upload-reply jobs) with the state, bytes, percent when the
    size is known, rate and ETA. It waits inside bitswatch.dll, on all the jobs
    at once (BwJobPollMany), so a change of any of them shows within about 50
    ms and idle jobs cost next to nothing; the display is refreshed at most 10
    times a second.

    It ends when every job is transferred, acknowledged, cancelled, in error or
    gone, or when -TimeoutSec passes. A job in error writes a non-terminating
    error with its description; a suspended job or one in a transient error
    writes a warning once (it does not end the watch: resume it with
    Resume-BitsTransfer, or use -TimeoutSec). Ctrl+C ends the watch within
    about 200 ms and closes every handle. The jobs themselves are left as they
    are (unless -Complete).

    With -All the watch follows the queue: a job created while it runs gets
    its own bar (after the others), found by the library's census of the
    queue (a count every 100 ms, whatever the number of jobs) between the
    waits on the jobs. A job that leaves the queue (cancelled or completed by
    any program, or gone) keeps its bar for about 1.5 s with its last state
    and why it left ("Left the queue (cancelled): Cancelled: 400 B / 1000 B
    (40%)"), then the bar ends while the watch goes on. The watch ends when
    every job it shows is done (or at -TimeoutSec); a job created after that
    is not shown. -Name and given jobs are a fixed set.

    Bars use the fixed Ids 0x4257 + 2*i (job i) and 0x4257 + 2*i + 1 (its reply).

    .PARAMETER JobId
    The GUIDs of the jobs to watch: GUIDs, GUID strings, or objects with a
    JobId property (Get-BitsTransfer output), also from the pipeline.

    .PARAMETER BitsJob
    BITS job objects (Get-BitsTransfer output, live or deserialized).

    .PARAMETER All
    Watches every job of the current user (every user's with -AllUsers),
    including jobs created while the watch runs.

    .PARAMETER Name
    Watches the jobs whose display name matches one of these names (wildcards
    allowed), like Get-BitsTransfer -Name.

    .PARAMETER AllUsers
    With -All or -Name: every user's jobs (needs an elevated session).

    .PARAMETER IntervalMs
    The longest single wait inside bitswatch.dll, 50 to 200 ms (default 200).
    A change of any job ends a wait at once, whatever this is; between two
    waits the command looks at Ctrl+C (and, for Watch-BitsJob -All, at the
    queue), so a shorter interval makes more calls into the library for the
    same idle jobs (about 1000/IntervalMs a second), and nothing else.

    .PARAMETER TimeoutSec
    Stops watching after this many seconds (0, the default: no limit). Jobs
    still running are reported with a non-terminating timeout error.

    .PARAMETER Complete
    Completes (Complete-BitsTransfer) each job that reaches Transferred, so its
    files appear at their destination. Supports -WhatIf and -Confirm; with -All
    or -Name it asks first (as a high-impact action) unless -Force (or -Confirm:$false).

    .PARAMETER PassThru
    Writes the final BitsWatch.JobStatus of every job when the watch ends.

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
    One display shows the jobs of every machine, each bar's text starting
    with the machine's name; Ctrl+C stops the command on every machine
    before the watch returns.

    .PARAMETER ThrottleLimit
    With -Session: how many machines run the command at the same time
    (default 32; 0: all).

    .EXAMPLE
    Start-BitsTransfer -Source https://example.com/big.iso -Destination C:\Temp -Asynchronous | Watch-BitsJob -Complete

    Starts a download, shows its progress and completes it when it is done.

    .EXAMPLE
    Watch-BitsJob -All -TimeoutSec 600 -PassThru | Where-Object State -ne 'Acknowledged'

    Watches every job of the current user for at most ten minutes and lists
    those that did not finish.

    .EXAMPLE
    Watch-BitsJob -All -AllUsers -Verbose

    Watches every user's jobs in an elevated session, also those created
    meanwhile; -Verbose says when a job appears or leaves the queue.

    .EXAMPLE
    Watch-BitsJob -Name 'Nightly*' -AllUsers -Complete -Confirm:$false

    Watches every user's "Nightly..." jobs and completes them without asking.

    .INPUTS
    System.Guid, System.String, or any object with a JobId property (Get-BitsTransfer output).

    .OUTPUTS
    None, or BitsWatch.JobStatus with -PassThru (with -All, also those of the
    jobs created while it ran; none for a job that is gone). A given job that
    is missing at the start or vanishes during the watch writes a
    non-terminating BitsWatch.JobNotFound error; a listed one (-All, -Name)
    that vanishes, a warning.

    .NOTES
    BITSWATCH_NATIVE_LIBRARY (the full path of a library) replaces the
    module's bitswatch.dll; see Get-Help Get-BitsJobStatus -Full.
    .LINK
    Wait-BitsJob

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

        [ValidateRange(50, 200)]
        [int] $IntervalMs = 200,

        [ValidateRange(0, 2147483)]
        [int] $TimeoutSec = 0,

        [switch] $Complete,

        [switch] $Force,

        [switch] $PassThru,

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
            Invoke-BwFleetCommand -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Route $route -Display -PassThru:$PassThru
            return
        }
        $final = Invoke-BwWatchCommand -Cmdlet $PSCmdlet -JobId $ids.ToArray() -Name $Name -AllUsers:$AllUsers -IntervalMs $IntervalMs -TimeoutSec $TimeoutSec -Complete:$Complete -Force:$Force -Display -ConfirmPreferenceValue $ConfirmPreference -WhatIf ([bool]$WhatIfPreference)
        if ($PassThru) {
            $final
        }
    }
}
