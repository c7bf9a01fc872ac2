#Requires -Version 5.1
# BitsWatch.psm1 - watch Windows BITS transfer jobs live, through bitswatch.dll.
#
# Public functions are listed in BitsWatch.psd1 (FunctionsToExport). Private
# helpers have a noun that starts with "Bw" and are not exported; tests/ps
# checks both rules.
#
# Write-Progress Id scheme (fixed, so other progress bars of the caller are
# left alone): the job at position i (0-based, in the order given) uses
# Id 0x4257 + 2*i for its bar and 0x4257 + 2*i + 1 for its reply child bar.

Set-StrictMode -Version 3.0

$script:ProgressIdBase = 0x4257
$script:DrawIntervalMs = 100    # at most 10 progress updates a second

$script:StateNames = @('Queued', 'Connecting', 'Transferring', 'Suspended', 'Error',
    'TransientError', 'Transferred', 'Acknowledged', 'Cancelled')
$script:TypeNames = @('Download', 'Upload', 'UploadReply')
$script:ContextNames = @('None', 'Unknown', 'GeneralQueueManager', 'QueueManagerNotification',
    'LocalFile', 'RemoteFile', 'GeneralTransport', 'RemoteApplication')

$script:SizeUnknown = [UInt64]::MaxValue

function Get-BwNativeFolder {
    # The bin\ folder for the process' real architecture. Not from
    # $env:PROCESSOR_ARCHITECTURE: any parent process can set that variable.
    [CmdletBinding()]
    [OutputType([string])]
    param()

    $arch = $null
    $runtimeInformation = 'System.Runtime.InteropServices.RuntimeInformation' -as [type]
    if ($null -ne $runtimeInformation) {
        $arch = [string]$runtimeInformation::ProcessArchitecture
    }
    elseif ([IntPtr]::Size -eq 8) {
        # .NET Framework before 4.7.1 has no RuntimeInformation; Windows
        # PowerShell 5.1 is x64 or x86 there.
        $arch = 'X64'
    }
    else {
        $arch = 'X86'
    }
    switch ($arch) {
        'X64' {
            return 'win-x64'
        }
        'X86' {
            return 'win-x86'
        }
    }
    throw ("BitsWatch has no bitswatch.dll for the process architecture '{0}' (it ships win-x64 and win-x86; on ARM64 Windows start an x64 PowerShell)." -f $arch)
}

function Get-BwManifestVersion {
    # ModuleVersion of BitsWatch.psd1. While the .psm1 runs the module's own
    # Version is still 0.0, so the manifest is read.
    [CmdletBinding()]
    [OutputType([version])]
    param()

    $manifest = Join-Path -Path $PSScriptRoot -ChildPath 'BitsWatch.psd1'
    $data = Import-PowerShellDataFile -LiteralPath $manifest
    return [version]$data.ModuleVersion
}

function Initialize-BwNative {
    # Finds the native library (BITSWATCH_NATIVE_LIBRARY, else
    # bin/win-<arch>/bitswatch.dll), loads it by full path, compiles the
    # P/Invoke declarations (once per session), checks the library's version.
    [CmdletBinding()]
    param()

    $override = $env:BITSWATCH_NATIVE_LIBRARY
    if ($override) {
        # Tests (the Linux simulator library) and side-by-side installs.
        if (-not [System.IO.Path]::IsPathRooted($override) -or -not (Test-Path -LiteralPath $override -PathType Leaf)) {
            throw ("BitsWatch: BITSWATCH_NATIVE_LIBRARY is '{0}', which is not the full path of an existing file." -f $override)
        }
        $dll = $override
    }
    else {
        $isWin = $true
        if ($PSVersionTable.PSEdition -eq 'Core') {
            $isWin = [bool](Get-Variable -Name IsWindows -ValueOnly -ErrorAction SilentlyContinue)
        }
        if (-not $isWin) {
            throw 'BitsWatch needs Windows: BITS (the Background Intelligent Transfer Service) exists only there.'
        }
        $folder = Get-BwNativeFolder
        $dll = Join-Path -Path $PSScriptRoot -ChildPath (Join-Path -Path 'bin' -ChildPath (Join-Path -Path $folder -ChildPath 'bitswatch.dll'))
        if (-not (Test-Path -LiteralPath $dll -PathType Leaf)) {
            throw ("BitsWatch: '{0}' is missing. Reinstall the module: the folder must hold bin\{1}\bitswatch.dll." -f $dll, $folder)
        }
    }

    $moduleVersion = Get-BwManifestVersion
    $source = Join-Path -Path $PSScriptRoot -ChildPath 'BitsWatch.Native.cs'
    $sourceHash = (Get-FileHash -LiteralPath $source -Algorithm SHA256).Hash

    # One Add-Type and one load per process, also when several runspaces
    # import at the same moment: they share this (interned) lock object.
    $lock = [string]::Intern('BitsWatch.Native: Add-Type and load')
    [System.Threading.Monitor]::Enter($lock)
    try {
        if (-not ('BitsWatch.Native.Job' -as [type])) {
            Add-Type -LiteralPath $source -ErrorAction Stop
            [BitsWatch.Native.Loader]::SourceHash = $sourceHash
        }
        elseif ([BitsWatch.Native.Loader]::SourceHash -ne $sourceHash) {
            # Import-Module -Force of another release: .NET cannot unload the
            # types (nor the library) the session already uses.
            throw ("BitsWatch {0}: this session already uses the native types of another BitsWatch release, which cannot be replaced. Start a new session to use BitsWatch {0}." -f $moduleVersion)
        }

        $loadedPath = [BitsWatch.Native.Loader]::LoadedPath
        if ($null -eq $loadedPath) {
            if ($override) {
                $loaded = [BitsWatch.Native.Loader]::LoadOverride($dll)
            }
            else {
                $loaded = [BitsWatch.Native.Loader]::Load($dll)
            }
            if ($loaded -eq [IntPtr]::Zero) {
                throw ("BitsWatch: cannot load '{0}'." -f $dll)
            }
        }
        elseif ($loadedPath -ne $dll) {
            # Another copy of the module loaded its library first; it is the
            # one every call goes to (the version check below decides).
            Write-Verbose ("BitsWatch: this session already uses '{0}'; '{1}' is not loaded." -f $loadedPath, $dll)
            $dll = $loadedPath
        }
    }
    finally {
        [System.Threading.Monitor]::Exit($lock)
    }

    $dllVersion = [BitsWatch.Native.NativeMethods]::BwGetVersion()
    $expected = ([uint32]$moduleVersion.Major -shl 16) -bor ([uint32]$moduleVersion.Minor -shl 8) -bor [uint32][math]::Max(0, $moduleVersion.Build)
    if ($dllVersion -ne $expected) {
        throw ("BitsWatch: '{0}' is version {1}, the module is {2}. Reinstall the module so both come from one release, then start a new session." -f $dll, [BitsWatch.Native.Loader]::VersionText($dllVersion), $moduleVersion)
    }
}

function Remove-BwControlCharacter {
    # Text from BITS (names, descriptions, URLs) may hold control characters
    # that would move the cursor or recolor the console: line breaks and tabs
    # become one space, other C0/C1 controls and bidirectional overrides go.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Position = 0)]
        [AllowNull()]
        [AllowEmptyString()]
        [string] $Text
    )

    if ($null -eq $Text) {
        return $null
    }
    $clean = $Text -replace '[\r\n\t]+', ' '
    $clean = $clean -replace '[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]', ''
    return $clean.Trim()
}

function Get-BwName {
    # The name of a value in one of the tables above, or the number itself.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [string[]] $Table,

        [Parameter(Mandatory = $true, Position = 1)]
        [uint32] $Value
    )

    if ($Value -lt $Table.Count) {
        return $Table[$Value]
    }
    return [string]$Value
}

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

    $total = $null
    $percent = $null
    if ($Status.BytesTotal -ne $script:SizeUnknown) {
        $total = $Status.BytesTotal
        if ($total -gt 0) {
            $percent = [math]::Round(100.0 * $Status.BytesTransferred / $total, 1)
        }
        elseif ($Status.State -ge 6) {
            $percent = 100.0
        }
    }
    $replyTotal = $null
    if ($Status.ReplyBytesTotal -ne $script:SizeUnknown) {
        $replyTotal = $Status.ReplyBytesTotal
    }
    $eta = $null
    if ($Status.EtaSeconds -ge 0) {
        $eta = [TimeSpan]::FromSeconds($Status.EtaSeconds)
    }

    $displayName = $null
    $owner = $null
    $creation = $null
    $modification = $null
    $completion = $null
    if ($null -ne $Info) {
        $displayName = Remove-BwControlCharacter $Info.DisplayName
        $owner = Remove-BwControlCharacter $Info.Owner
        $creation = $Info.CreationTime
        $modification = $Info.ModificationTime
        $completion = $Info.TransferCompletionTime
    }
    $description = $null
    $remoteName = $null
    if ($null -ne $JobError) {
        $description = Remove-BwControlCharacter $JobError.Description
        $remoteName = Remove-BwControlCharacter $JobError.RemoteName
    }

    [PSCustomObject]@{
        PSTypeName             = 'BitsWatch.JobStatus'
        JobId                  = $Status.JobId
        DisplayName            = $displayName
        State                  = Get-BwName $script:StateNames $Status.State
        Type                   = Get-BwName $script:TypeNames $Status.Type
        BytesTotal             = $total
        BytesTransferred       = $Status.BytesTransferred
        FilesTotal             = $Status.FilesTotal
        FilesTransferred       = $Status.FilesTransferred
        Percent                = $percent
        BytesPerSecond         = $Status.BytesPerSecond
        Eta                    = $eta
        ReplyBytesTotal        = $replyTotal
        ReplyBytesTransferred  = $Status.ReplyBytesTransferred
        ErrorCode              = $Status.ErrorCode
        ErrorContext           = Get-BwName $script:ContextNames $Status.ErrorContext
        ErrorDescription       = $description
        ErrorRemoteName        = $remoteName
        Owner                  = $owner
        CreationTime           = $creation
        ModificationTime       = $modification
        TransferCompletionTime = $completion
        Timestamp              = $Status.Timestamp
    }
}

function Get-BwHResult {
    # The HRESULT of an exception from the binding (0 when it has none).
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory = $true)]
        $Exception
    )

    $e = $Exception
    while ($null -ne $e) {
        if ($e -is [BitsWatch.Native.BitsWatchException]) {
            return $e.HResult
        }
        $e = $e.InnerException
    }
    return 0
}

function Write-BwJobError {
    # A non-terminating error for one job, from an exception of the binding.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [Guid] $JobId,

        [Parameter(Mandatory = $true)]
        $Exception
    )

    $inner = $Exception
    while ($inner -isnot [BitsWatch.Native.BitsWatchException] -and $null -ne $inner.InnerException) {
        $inner = $inner.InnerException
    }
    $category = [System.Management.Automation.ErrorCategory]::NotSpecified
    $hr = Get-BwHResult -Exception $Exception
    if ($hr -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND) {
        $category = [System.Management.Automation.ErrorCategory]::ObjectNotFound
    }
    elseif ($hr -eq [BitsWatch.Native.Codes]::E_ACCESSDENIED) {
        $category = [System.Management.Automation.ErrorCategory]::PermissionDenied
    }
    $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList @(
        $inner, 'BitsWatch.JobFailed', $category, $JobId)
    Write-Error -ErrorRecord $record
}

function Get-BwSnapshot {
    # Opens a job, reads status, info and (in an error state) the error, closes it.
    [CmdletBinding()]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(Mandatory = $true)]
        [Guid] $JobId
    )

    $job = [BitsWatch.Native.Job]::Open($JobId)
    try {
        $status = $job.Poll(0)
        $info = $job.GetInfo()
        $jobError = $null
        if ($status.State -eq 4 -or $status.State -eq 5) {
            $jobError = $job.GetError()
        }
        ConvertTo-BwJobStatus -Status $status -Info $info -JobError $jobError
    }
    finally {
        $job.Dispose()
    }
}

function Format-BwByteCount {
    # 12.5 MB, 40 MB, 512 B: binary units (1 MB = 1048576 bytes; written as
    # numbers, not 1MB: tree-sitter-powershell, which checks this file, lacks the suffixes).
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Position = 0)]
        [AllowNull()]
        $Bytes
    )

    if ($null -eq $Bytes) {
        return '?'
    }
    $b = [double]$Bytes
    if ($b -ge 1099511627776) {
        return ('{0:0.#} TB' -f ($b / 1099511627776))
    }
    if ($b -ge 1073741824) {
        return ('{0:0.#} GB' -f ($b / 1073741824))
    }
    if ($b -ge 1048576) {
        return ('{0:0.#} MB' -f ($b / 1048576))
    }
    if ($b -ge 1024) {
        return ('{0:0.#} KB' -f ($b / 1024))
    }
    return ('{0:0} B' -f $b)
}

function Format-BwDuration {
    # 00:04:10, or 2.03:00:00 past a day.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [TimeSpan] $Duration
    )

    if ($Duration.TotalDays -ge 1) {
        return $Duration.ToString('d\.hh\:mm\:ss')
    }
    return $Duration.ToString('hh\:mm\:ss')
}

function Format-BwStatusLine {
    # "Transferring: 12.5 MB / 40 MB (31%), 1.2 MB/s, ETA 00:00:27"
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        $JobStatus
    )

    $line = '{0}: {1} / {2}' -f $JobStatus.State, (Format-BwByteCount $JobStatus.BytesTransferred), (Format-BwByteCount $JobStatus.BytesTotal)
    if ($null -ne $JobStatus.Percent) {
        $line += ' ({0:0}%)' -f [math]::Floor($JobStatus.Percent)
    }
    if ($JobStatus.BytesPerSecond -gt 0) {
        $line += ', {0}/s' -f (Format-BwByteCount $JobStatus.BytesPerSecond)
    }
    if ($null -ne $JobStatus.Eta) {
        $line += ', ETA {0}' -f (Format-BwDuration $JobStatus.Eta)
    }
    return $line
}

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
    if ($Completed) {
        Write-Progress -Id ($id + 1) -ParentId $id -Activity 'Reply' -Completed
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
        Id               = $id
        Activity         = $activity
        Status           = Format-BwStatusLine -JobStatus $s
        PercentComplete  = $percent
    }
    if ($null -ne $s.Eta) {
        $progress['SecondsRemaining'] = [int][math]::Min([int]::MaxValue, $s.Eta.TotalSeconds)
    }
    Write-Progress @progress
    if ($s.Type -eq 'UploadReply') {
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

function Invoke-BwWatch {
    # The loop of Watch-BitsJob and Wait-BitsJob: polls every job until each is
    # done (transferred, acknowledged, cancelled, in error, or gone) or the
    # timeout passes; returns the final status objects in the order given.
    [CmdletBinding()]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [Guid[]] $JobId,

        [int] $IntervalMs = 500,

        [int] $TimeoutSec = 0,

        [switch] $Complete,

        [switch] $Display
    )

    $entries = New-Object -TypeName System.Collections.Generic.List[object]
    $draw = [System.Diagnostics.Stopwatch]::StartNew()
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $lastDraw = -1000
    try {
        $index = 0
        foreach ($id in ($JobId | Select-Object -Unique)) {
            $entry = [PSCustomObject]@{
                Index  = $index
                JobId  = $id
                Name   = $id.ToString('B')
                Job    = $null
                Status = $null
                Done   = $false
                ErrorShown = $false
            }
            $index++
            try {
                $entry.Job = [BitsWatch.Native.Job]::Open($id)
                $info = $entry.Job.GetInfo()
                $name = Remove-BwControlCharacter $info.DisplayName
                if ($name) {
                    $entry.Name = $name
                }
            }
            catch {
                Write-BwJobError -JobId $id -Exception $_.Exception
                $entry.Done = $true
            }
            $entries.Add($entry)
        }

        while ($true) {
            $active = @($entries | Where-Object { -not $_.Done })
            if ($active.Count -eq 0) {
                break
            }
            $remainingMs = [int]::MaxValue
            if ($TimeoutSec -gt 0) {
                $remainingMs = [int]($TimeoutSec * 1000 - $clock.ElapsedMilliseconds)
                if ($remainingMs -le 0) {
                    foreach ($e in $active) {
                        $message = 'Timed out after {0} s waiting for BITS job {1} ({2}).' -f $TimeoutSec, $e.JobId, $e.Name
                        $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList @(
                            (New-Object -TypeName System.TimeoutException -ArgumentList $message),
                            'BitsWatch.Timeout',
                            [System.Management.Automation.ErrorCategory]::OperationTimeout,
                            $e.JobId)
                        Write-Error -ErrorRecord $record
                    }
                    break
                }
            }
            # The wait happens inside BwJobPoll on the last active job; the
            # others are read without waiting. Any change ends the wait early.
            for ($i = 0; $i -lt $active.Count; $i++) {
                $e = $active[$i]
                $wait = 0
                if ($i -eq $active.Count - 1) {
                    $wait = [math]::Min($IntervalMs, $remainingMs)
                }
                try {
                    $raw = $e.Job.Poll([uint32]$wait)
                    $jobError = $null
                    if (($raw.State -eq 4 -or $raw.State -eq 5) -and ($raw.Changed -or $null -eq $e.Status)) {
                        $jobError = $e.Job.GetError()
                    }
                    elseif ($null -ne $e.Status -and ($raw.State -eq 4 -or $raw.State -eq 5)) {
                        $jobError = [PSCustomObject]@{
                            Description = $e.Status.ErrorDescription
                            RemoteName  = $e.Status.ErrorRemoteName
                        }
                    }
                    $info = [PSCustomObject]@{
                        DisplayName            = $e.Name
                        Owner                  = $null
                        CreationTime           = $null
                        ModificationTime       = $null
                        TransferCompletionTime = $null
                    }
                    if ($raw.IsFinal) {
                        $info = $e.Job.GetInfo()
                    }
                    $e.Status = ConvertTo-BwJobStatus -Status $raw -Info $info -JobError $jobError
                    if ($e.Status.DisplayName -ne $e.Name -and $e.Status.DisplayName) {
                        $e.Name = $e.Status.DisplayName
                    }

                    if ($raw.State -eq 4 -and -not $e.ErrorShown) {
                        $e.ErrorShown = $true
                        $text = $e.Status.ErrorDescription
                        if (-not $text) {
                            $text = [BitsWatch.Native.BitsWatchException]::FormatMessage($raw.ErrorCode)
                        }
                        $message = 'BITS job {0} ({1}) failed: {2} (0x{3:X8})' -f $e.JobId, $e.Name, $text, $raw.ErrorCode
                        if ($e.Status.ErrorRemoteName) {
                            $message += ' [{0}]' -f $e.Status.ErrorRemoteName
                        }
                        $ex = New-Object -TypeName BitsWatch.Native.BitsWatchException -ArgumentList @($raw.ErrorCode, $message)
                        $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList @(
                            $ex, 'BitsWatch.JobInError', [System.Management.Automation.ErrorCategory]::ConnectionError, $e.JobId)
                        Write-Error -ErrorRecord $record
                    }
                    if ($raw.State -eq 6 -and $Complete) {
                        $e.Job.Complete()
                        $after = $e.Job.Poll(0)
                        $e.Status = ConvertTo-BwJobStatus -Status $after -Info $e.Job.GetInfo() -JobError $null
                    }
                    if ($raw.IsFinal) {
                        $e.Done = $true
                    }
                }
                catch {
                    $hr = Get-BwHResult -Exception $_.Exception
                    if ($hr -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND) {
                        Write-Warning ('BITS job {0} ({1}) is gone.' -f $e.JobId, $e.Name)
                    }
                    else {
                        Write-BwJobError -JobId $e.JobId -Exception $_.Exception
                    }
                    $e.Done = $true
                }
            }
            if ($Display -and ($draw.ElapsedMilliseconds - $lastDraw) -ge $script:DrawIntervalMs) {
                $lastDraw = $draw.ElapsedMilliseconds
                foreach ($e in $entries) {
                    if ($e.Done) {
                        Show-BwProgress -Entry $e -Completed
                    }
                    else {
                        Show-BwProgress -Entry $e
                    }
                }
            }
        }
    }
    finally {
        # Also on Ctrl+C: every handle is closed first (a stopping pipeline
        # refuses further commands), then the bars are ended if it still can.
        foreach ($e in $entries) {
            if ($null -ne $e.Job) {
                $e.Job.Dispose()
            }
        }
        if ($Display) {
            try {
                foreach ($e in $entries) {
                    Show-BwProgress -Entry $e -Completed
                }
            }
            catch {
                Write-Verbose ('Progress bars not ended: {0}' -f $_.Exception.Message)
            }
        }
    }
    foreach ($e in $entries) {
        if ($null -ne $e.Status) {
            $e.Status
        }
    }
}

function Get-BitsJobStatus {
    <#
    .SYNOPSIS
    Gets a status snapshot of BITS transfer jobs.

    .DESCRIPTION
    Get-BitsJobStatus reads each job through bitswatch.dll and returns one
    BitsWatch.JobStatus object per job: state, bytes and files, percent, rate,
    ETA, reply progress of upload-reply jobs, the error (code, context and
    description) of a job in an error state, owner and times.

    Without -JobId it lists every job of the current user (-AllUsers: every
    user's, which needs an elevated session). JobId binds from the pipeline by
    property name, so the output of Get-BitsTransfer (live or deserialized from
    a remote session) can be piped in.

    The objects are plain and serializable: they come back intact from
    Invoke-Command. Text that came from BITS has its control characters removed.

    .PARAMETER JobId
    The GUIDs of the jobs. Accepts Get-BitsTransfer objects and anything with a
    JobId (or Id) property from the pipeline, and GUID strings.

    .PARAMETER AllUsers
    Lists the jobs of every user instead of the current user's. Needs
    administrator rights; without them the command fails with access denied.

    .EXAMPLE
    Get-BitsJobStatus

    Shows every BITS job of the current user as a table: name, state, progress
    such as "12.5 MB / 40 MB (31%)", rate and time left.

    .EXAMPLE
    Get-BitsTransfer | Get-BitsJobStatus | Where-Object State -eq 'Error' | Format-List DisplayName, ErrorDescription, ErrorRemoteName

    Shows why the failing jobs failed.

    .EXAMPLE
    Invoke-Command -ComputerName web1, web2 { Get-BitsJobStatus -AllUsers } | Sort-Object PSComputerName | Format-Table PSComputerName, DisplayName, State, Percent

    Collects the BITS jobs of two machines over PowerShell remoting.

    .INPUTS
    System.Guid, or any object with a JobId property (Get-BitsTransfer output).

    .OUTPUTS
    BitsWatch.JobStatus
    #>
    [CmdletBinding()]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Id', 'Guid')]
        [Guid[]] $JobId,

        [switch] $AllUsers
    )

    process {
        $ids = $JobId
        $listing = $false
        if (-not $PSBoundParameters.ContainsKey('JobId')) {
            try {
                $ids = [BitsWatch.Native.Job]::EnumJobs([bool]$AllUsers)
            }
            catch {
                $PSCmdlet.ThrowTerminatingError((New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList @(
                    $_.Exception, 'BitsWatch.EnumFailed', [System.Management.Automation.ErrorCategory]::PermissionDenied, $null)))
            }
            $listing = $true
        }
        foreach ($id in $ids) {
            try {
                Get-BwSnapshot -JobId $id
            }
            catch {
                # A listed job may finish and vanish before it is read.
                if (-not ($listing -and (Get-BwHResult -Exception $_.Exception) -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND)) {
                    Write-BwJobError -JobId $id -Exception $_.Exception
                }
            }
        }
    }
}

function Watch-BitsJob {
    <#
    .SYNOPSIS
    Shows live progress bars for BITS transfer jobs until they finish.

    .DESCRIPTION
    Watch-BitsJob shows one Write-Progress bar per job (and a child bar with the
    reply progress of upload-reply jobs) with the state, bytes, percent when the
    size is known, rate and ETA. It waits inside bitswatch.dll (BwJobPoll), so a
    change shows within about 50 ms and an idle job costs nothing; the display
    is refreshed at most 10 times a second.

    It ends when every job is transferred, acknowledged, cancelled, in error or
    gone, or when -TimeoutSec passes. A job in error writes a non-terminating
    error with its description. Ctrl+C ends the watch and closes every handle.
    The jobs themselves are left as they are (unless -Complete).

    Bars use the fixed Ids 0x4257 + 2*i (job i) and 0x4257 + 2*i + 1 (its reply).

    .PARAMETER JobId
    The GUIDs of the jobs to watch. Accepts Get-BitsTransfer objects from the
    pipeline.

    .PARAMETER All
    Watches every job of the current user.

    .PARAMETER IntervalMs
    The longest time between two reads of a job when nothing changes
    (50 to 60000, default 500). Changes are seen sooner.

    .PARAMETER TimeoutSec
    Stops watching after this many seconds (0, the default: no limit). Jobs
    still running are reported with a non-terminating timeout error.

    .PARAMETER Complete
    Completes (Complete-BitsTransfer) each job that reaches Transferred, so its
    files appear at their destination.

    .PARAMETER PassThru
    Writes the final BitsWatch.JobStatus of every job when the watch ends.

    .EXAMPLE
    Start-BitsTransfer -Source https://example.com/big.iso -Destination C:\Temp -Asynchronous | Watch-BitsJob -Complete

    Starts a download, shows its progress and completes it when it is done.

    .EXAMPLE
    Watch-BitsJob -All -TimeoutSec 600 -PassThru | Where-Object State -ne 'Acknowledged'

    Watches every job of the current user for at most ten minutes and lists
    those that did not finish.

    .INPUTS
    System.Guid, or any object with a JobId property (Get-BitsTransfer output).

    .OUTPUTS
    None, or BitsWatch.JobStatus with -PassThru.
    #>
    [CmdletBinding(DefaultParameterSetName = 'ById')]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(ParameterSetName = 'ById', Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Id', 'Guid')]
        [Guid[]] $JobId,

        [Parameter(ParameterSetName = 'All', Mandatory = $true)]
        [switch] $All,

        [ValidateRange(50, 60000)]
        [int] $IntervalMs = 500,

        [ValidateRange(0, 2147483)]
        [int] $TimeoutSec = 0,

        [switch] $Complete,

        [switch] $PassThru
    )

    begin {
        $ids = New-Object -TypeName System.Collections.Generic.List[Guid]
    }
    process {
        if ($PSCmdlet.ParameterSetName -eq 'ById') {
            foreach ($id in $JobId) {
                $ids.Add($id)
            }
        }
    }
    end {
        if ($All) {
            foreach ($id in [BitsWatch.Native.Job]::EnumJobs($false)) {
                $ids.Add($id)
            }
        }
        $final = Invoke-BwWatch -JobId $ids.ToArray() -IntervalMs $IntervalMs -TimeoutSec $TimeoutSec -Complete:$Complete -Display
        if ($PassThru) {
            $final
        }
    }
}

function Wait-BitsJob {
    <#
    .SYNOPSIS
    Waits until BITS transfer jobs finish and returns their final status.

    .DESCRIPTION
    Wait-BitsJob is Watch-BitsJob without a display: it waits inside
    bitswatch.dll (no Start-Sleep loop) until every job is transferred,
    acknowledged, cancelled, in error or gone, or until -TimeoutSec passes, and
    returns one BitsWatch.JobStatus object per job. Jobs in error write a
    non-terminating error with their description; a timeout writes a
    non-terminating error per unfinished job.

    .PARAMETER JobId
    The GUIDs of the jobs. Accepts Get-BitsTransfer objects from the pipeline.

    .PARAMETER TimeoutSec
    Stops waiting after this many seconds (0, the default: no limit).

    .PARAMETER IntervalMs
    The longest time between two reads of a job when nothing changes
    (50 to 60000, default 500).

    .PARAMETER Complete
    Completes each job that reaches Transferred, so its files appear at their
    destination.

    .EXAMPLE
    $job = Start-BitsTransfer -Source https://example.com/setup.msi -Destination C:\Temp -Asynchronous
    $status = $job | Wait-BitsJob -Complete -TimeoutSec 300
    if ($status.State -ne 'Acknowledged') { throw "Download failed: $($status.ErrorDescription)" }

    Downloads a file in a script and fails clearly when the download does not finish.

    .EXAMPLE
    Get-BitsTransfer | Wait-BitsJob -TimeoutSec 60 | Format-Table

    Waits up to a minute for every job of the current user.

    .INPUTS
    System.Guid, or any object with a JobId property (Get-BitsTransfer output).

    .OUTPUTS
    BitsWatch.JobStatus
    #>
    [CmdletBinding()]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Id', 'Guid')]
        [Guid[]] $JobId,

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
        foreach ($id in $JobId) {
            $ids.Add($id)
        }
    }
    end {
        Invoke-BwWatch -JobId $ids.ToArray() -IntervalMs $IntervalMs -TimeoutSec $TimeoutSec -Complete:$Complete
    }
}

Initialize-BwNative

# BitsTransfer's BitsJob names for the same data, so scripts written against
# Get-BitsTransfer objects keep working; the deserialized objects
# (Invoke-Command, Import-Clixml) get them too. Update-TypeData -Force rather
# than a types.ps1xml: a types file errors ("member already present") when the
# module is imported again from another folder in the same session.
foreach ($typeName in 'BitsWatch.JobStatus', 'Deserialized.BitsWatch.JobStatus') {
    foreach ($alias in @(
            @('JobState', 'State'),
            @('TransferType', 'Type'),
            @('OwnerAccount', 'Owner'),
            @('InternalErrorCode', 'ErrorCode'))) {
        Update-TypeData -TypeName $typeName -MemberType AliasProperty -MemberName $alias[0] -Value $alias[1] -Force
    }
}

Export-ModuleMember -Function @('Get-BitsJobStatus', 'Watch-BitsJob', 'Wait-BitsJob')
