function Get-BitsJobStatus {
    <#
    .SYNOPSIS
    Gets a status snapshot of BITS transfer jobs.

    .DESCRIPTION
    Get-BitsJobStatus reads each job through bitswatch.dll and returns one
    BitsWatch.JobStatus object per job: state, bytes and files, percent, rate,
    ETA, reply progress of upload-reply jobs, the error (code, context,
    description, the failing file's remote and local names, protocol) of a job
    in an error state, owner, priority, description, error count and times
    (local time, as Get-BitsTransfer gives them).

    Jobs that are moving (connecting or transferring) are read twice, -SampleMs
    apart on one handle (all jobs together, so the command takes that long at
    most once), so BytesPerSecond and Eta are measured, not guessed.

    Without -JobId it lists every job of the current user (-AllUsers: every
    user's, which needs an elevated session), or those whose display name
    matches -Name. JobId binds from the pipeline by property name, so the
    output of Get-BitsTransfer (live or deserialized from a remote session)
    can be piped in; -BitsJob takes those objects by name too.

    The objects are plain and serializable: they come back intact from
    Invoke-Command. They also carry BitsTransfer's names for the same data
    (JobState, TransferType, OwnerAccount, InternalErrorCode). Text that came
    from BITS has its control characters removed.

    .PARAMETER JobId
    The GUIDs of the jobs: GUIDs, GUID strings, or objects with a JobId
    property (Get-BitsTransfer output, BitsWatch.JobStatus), also from the
    pipeline.

    .PARAMETER BitsJob
    BITS job objects (Get-BitsTransfer output, live or deserialized), as
    BitsTransfer's own cmdlets take them.

    .PARAMETER Name
    Lists only the jobs whose display name matches one of these names
    (wildcards allowed, case-insensitive), like Get-BitsTransfer -Name. A name
    without wildcards that matches no job writes an error. The first
    positional parameter, as in Get-BitsTransfer: Get-BitsJobStatus
    'setup.exe'. A name that is a GUID string names that job, as -JobId does.

    .PARAMETER AllUsers
    Lists the jobs of every user instead of the current user's. Needs
    administrator rights; without them the command fails with access denied.

    .PARAMETER SampleMs
    How long to measure the transfer rate of moving jobs (all of them at
    once), 0 to 10000 ms, default 500. 0: read each job once (no rate, no ETA).

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
    Get-BitsJobStatus

    Shows every BITS job of the current user as a table: job id, name, state,
    progress such as "12.5 MB / 40 MB (31%)", rate and time left.

    .EXAMPLE
    Get-BitsTransfer | Get-BitsJobStatus | Where-Object State -eq 'Error' | Format-List

    Shows why the failing jobs failed: the list view has the error code in hex,
    its description, context and the failing file's URL and local name.

    .EXAMPLE
    Get-BitsJobStatus -Name 'Nightly*' -AllUsers | Format-Table -View Errors

    The jobs of any user whose name starts with "Nightly", with their errors.

    .EXAMPLE
    Get-BitsJobStatus | Where-Object State -eq 'Transferred' | ForEach-Object { Get-BitsTransfer -JobId $_.JobId } | Complete-BitsTransfer

    BitsWatch objects back into BitsTransfer's cmdlets: Get-BitsTransfer
    -JobId turns them into BitsJob objects, which Complete-BitsTransfer,
    Resume-BitsTransfer, Suspend-BitsTransfer and Remove-BitsTransfer take.

    .EXAMPLE
    Invoke-Command -ComputerName web1, web2 { Get-BitsJobStatus -AllUsers } | Sort-Object PSComputerName | Format-Table PSComputerName, DisplayName, State, Percent

    Collects the BITS jobs of two machines over PowerShell remoting.

    .INPUTS
    System.Guid, System.String, or any object with a JobId property (Get-BitsTransfer output).

    .OUTPUTS
    BitsWatch.JobStatus

    .NOTES
    The module loads bin\win-x64\bitswatch.dll or bin\win-x86\bitswatch.dll
    (the process' architecture). The environment variable
    BITSWATCH_NATIVE_LIBRARY, when set to the full path of a library, loads
    that one instead (tests, side-by-side installs; read at Import-Module).
    .LINK
    Watch-BitsJob

    .LINK
    Wait-BitsJob

    .LINK
    Get-BitsTransfer
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType('BitsWatch.JobStatus')]
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

        [ValidateRange(0, 10000)]
        [int] $SampleMs = 500,

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
        $listing = $PSCmdlet.ParameterSetName -eq 'List'
        # The first positional argument is -Name, as in Get-BitsTransfer; a
        # name that is a GUID ('{...}' or not) names that job, as -JobId does
        # (an error when it is missing). With names too, those are listed after.
        $names = $Name
        if ($listing -and $null -ne $Name) {
            $plain = [System.Collections.Generic.List[string]]::new()
            foreach ($n in $Name) {
                $guid = [Guid]::Empty
                if ([Guid]::TryParse($n, [ref]$guid)) {
                    $ids.Add($guid)
                }
                else {
                    $plain.Add($n)
                }
            }
            if ($ids.Count -gt 0) {
                $names = $plain.ToArray()
            }
        }
        $list = @()
        if ($ids.Count -gt 0 -or -not $listing) {
            $list = @(Get-BwJobIdList -Cmdlet $PSCmdlet -JobId $ids.ToArray())
            $listing = $false
            if ($null -ne $names -and $names.Count -gt 0) {
                $given = [System.Collections.Generic.HashSet[Guid]]::new([Guid[]]$list)
                $list += @(Get-BwJobIdList -Cmdlet $PSCmdlet -JobId @() -List -Name $names -AllUsers:$AllUsers | Where-Object { $given.Add($_) })
            }
        }
        else {
            $list = @(Get-BwJobIdList -Cmdlet $PSCmdlet -JobId @() -List -Name $names -AllUsers:$AllUsers)
        }
        $entries = [System.Collections.Generic.List[object]]::new()
        try {
            Open-BwJobEntry -Cmdlet $PSCmdlet -JobId $list -Into $entries -Listing:$listing
            $read = [System.Collections.Generic.List[object]]::new()
            foreach ($e in $entries) {
                if ($e.Done) {
                    continue
                }
                $failure = Read-BwJobStatus -Entry $e
                if ($null -eq $failure) {
                    $read.Add($e)
                }
                elseif (-not ($listing -and $failure.HResult -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND)) {
                    Write-BwJobError -Cmdlet $PSCmdlet -JobId $e.JobId -Exception $failure
                }
            }
            Measure-BwJobRate -Cmdlet $PSCmdlet -Entry $read -SampleMs $SampleMs -Listing:$listing
        }
        finally {
            Close-BwJobEntry -Entry $entries
        }
        foreach ($e in $entries) {
            if ($null -ne $e.Status) {
                $e.Status
            }
        }
    }
}
