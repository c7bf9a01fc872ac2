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

$script:PriorityNames = @('Foreground', 'High', 'Normal', 'Low')

$script:SizeUnknown = [UInt64]::MaxValue
$script:MaxWaitMs = 200         # longest native wait: Ctrl+C acts between calls
$script:BG_E_INVALID_STATE = [int]0x8020000E
# RPC_S_SERVER_UNAVAILABLE, RPC_E_DISCONNECTED, RPC_S_CALL_FAILED: the service
# is down or restarting (the library already reconnected once).
$script:ServiceDownCodes = @([int]0x800706BA, [int]0x80010108, [int]0x800706BE)

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
    # The P/Invoke declarations and the parameter attributes: one assembly.
    $source = @(
        (Join-Path -Path $PSScriptRoot -ChildPath 'BitsWatch.Native.cs'),
        (Join-Path -Path $PSScriptRoot -ChildPath 'BitsWatch.Attributes.cs'))
    $sourceHash = (Get-FileHash -LiteralPath $source -Algorithm SHA256 | ForEach-Object Hash) -join ''

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

function ConvertTo-BwDisplayText {
    # Text from BITS (names, descriptions, URLs) may hold control characters
    # that would move the cursor or recolor the console: line breaks and tabs
    # become one space, other C0/C1 controls and bidirectional overrides go.
    # $null stays $null (an untyped parameter: [string] would make it '').
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Position = 0)]
        [AllowNull()]
        $Text
    )

    if ($null -eq $Text) {
        return $null
    }
    $clean = ([string]$Text) -replace '[\r\n\t]+', ' '
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

function ConvertTo-BwLocalTime {
    # A time of the binding (UTC) as local time, as BitsTransfer gives it.
    [CmdletBinding()]
    [OutputType([datetime])]
    param(
        [Parameter(Position = 0)]
        [AllowNull()]
        $Time
    )

    if ($null -eq $Time) {
        return $null
    }
    return ([datetime]$Time).ToLocalTime()
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

    [PSCustomObject]@{
        PSTypeName              = 'BitsWatch.JobStatus'
        JobId                   = $Status.JobId
        DisplayName             = $displayName
        State                   = Get-BwName $script:StateNames $Status.State
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
        ErrorContext            = Get-BwName $script:ContextNames $Status.ErrorContext
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

function Get-BwErrorCategory {
    # The ErrorCategory that says what an HRESULT means to a user.
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorCategory])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [int] $HResult
    )

    switch ($HResult) {
        ([BitsWatch.Native.Codes]::BG_E_NOT_FOUND) {
            return [System.Management.Automation.ErrorCategory]::ObjectNotFound
        }
        ([BitsWatch.Native.Codes]::E_ACCESSDENIED) {
            return [System.Management.Automation.ErrorCategory]::PermissionDenied
        }
        ([BitsWatch.Native.Codes]::E_INVALIDARG) {
            return [System.Management.Automation.ErrorCategory]::InvalidArgument
        }
        ([BitsWatch.Native.Codes]::E_HANDLE) {
            return [System.Management.Automation.ErrorCategory]::InvalidOperation
        }
        { $_ -eq $script:BG_E_INVALID_STATE } {
            return [System.Management.Automation.ErrorCategory]::InvalidOperation
        }
        { $script:ServiceDownCodes -contains $_ } {
            return [System.Management.Automation.ErrorCategory]::ResourceUnavailable
        }
    }
    return [System.Management.Automation.ErrorCategory]::NotSpecified
}

function ConvertTo-BwErrorRecord {
    # An ErrorRecord from an exception of the binding: the BitsWatchException
    # inside it (not PowerShell's "Exception calling ..." wrapper), a category
    # from its HRESULT.
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        $Exception,

        [Parameter(Mandatory = $true)]
        [string] $ErrorId,

        [AllowNull()]
        $TargetObject
    )

    $inner = $Exception
    while ($inner -isnot [BitsWatch.Native.BitsWatchException] -and $null -ne $inner.InnerException) {
        $inner = $inner.InnerException
    }
    $category = Get-BwErrorCategory (Get-BwHResult -Exception $Exception)
    New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList @(
        $inner, $ErrorId, $category, $TargetObject)
}

function Write-BwJobError {
    # A non-terminating error for one job, written through the calling
    # command's $PSCmdlet, so the record names that command (not this helper).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [Guid] $JobId,

        [Parameter(Mandatory = $true)]
        $Exception
    )

    $id = 'BitsWatch.JobFailed'
    if ((Get-BwHResult -Exception $Exception) -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND) {
        $id = 'BitsWatch.JobNotFound'
    }
    $Cmdlet.WriteError((ConvertTo-BwErrorRecord -Exception $Exception -ErrorId $id -TargetObject $JobId))
}

function Get-BwJobIdList {
    # The jobs to work on: the given ids (duplicates dropped, order kept), or
    # every job of the user (every user's with -AllUsers), or those whose
    # display name matches -Name. A listing failure is a terminating error of
    # the calling command.
    [CmdletBinding()]
    [OutputType([Guid[]])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [AllowEmptyCollection()]
        [Guid[]] $JobId,

        [switch] $List,

        [string[]] $Name,

        [switch] $AllUsers
    )

    if (-not $List) {
        $seen = New-Object -TypeName 'System.Collections.Generic.HashSet[Guid]'
        foreach ($id in $JobId) {
            if ($seen.Add($id)) {
                $id
            }
        }
        return
    }
    $scope = 'CurrentUser'
    if ($AllUsers) {
        $scope = 'AllUsers'
    }
    $ids = $null
    $failure = [BitsWatch.Native.Job]::TryEnumJobs([bool]$AllUsers, [ref]$ids)
    if ($null -ne $failure) {
        $record = ConvertTo-BwErrorRecord -Exception $failure -ErrorId 'BitsWatch.EnumFailed' -TargetObject $scope
        if ($record.CategoryInfo.Category -eq [System.Management.Automation.ErrorCategory]::PermissionDenied -and $AllUsers) {
            $record.ErrorDetails = New-Object -TypeName System.Management.Automation.ErrorDetails -ArgumentList (
                '{0} Listing every user''s BITS jobs (-AllUsers) needs an elevated session (Run as administrator).' -f $record.Exception.Message)
        }
        $Cmdlet.ThrowTerminatingError($record)
    }
    if ($null -eq $Name -or $Name.Count -eq 0) {
        return $ids
    }

    $patterns = @($Name | ForEach-Object {
            New-Object -TypeName System.Management.Automation.WildcardPattern -ArgumentList @($_, [System.Management.Automation.WildcardOptions]::IgnoreCase)
        })
    $matched = New-Object -TypeName 'System.Collections.Generic.HashSet[string]'
    foreach ($id in $ids) {
        # Gone since it was listed, or not readable: not a match.
        $job = $null
        $info = $null
        if ($null -ne [BitsWatch.Native.Job]::TryOpen($id, [ref]$job)) {
            continue
        }
        try {
            if ($null -ne $job.TryGetInfo([ref]$info)) {
                continue
            }
        }
        finally {
            $job.Dispose()
        }
        $displayName = ConvertTo-BwDisplayText $info.DisplayName
        if ($null -eq $displayName) {
            continue
        }
        for ($i = 0; $i -lt $patterns.Count; $i++) {
            if ($patterns[$i].IsMatch($displayName)) {
                $null = $matched.Add($Name[$i])
                $id
                break
            }
        }
    }
    # Like Get-BitsTransfer -Name: a plain name that matched nothing is an error.
    foreach ($n in $Name) {
        if (-not $matched.Contains($n) -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
            $ex = New-Object -TypeName System.Management.Automation.ItemNotFoundException -ArgumentList (
                "No BITS job named '{0}' was found." -f $n)
            $Cmdlet.WriteError((New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList @(
                        $ex, 'BitsWatch.NameNotFound', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $n)))
        }
    }
}

function Get-BwBitsJobId {
    # The JobId of each object given to -BitsJob; an error for any without one.
    [CmdletBinding()]
    [OutputType([Guid[]])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [AllowEmptyCollection()]
        [object[]] $BitsJob
    )

    foreach ($job in $BitsJob) {
        $id = $null
        if ($null -ne $job) {
            $property = $job.PSObject.Properties['JobId']
            if ($null -ne $property) {
                $id = $property.Value -as [Guid]
            }
        }
        if ($null -eq $id) {
            $ex = New-Object -TypeName System.ArgumentException -ArgumentList (
                '-BitsJob takes BITS job objects (Get-BitsTransfer output); this object has no JobId.')
            $Cmdlet.WriteError((New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList @(
                        $ex, 'BitsWatch.NotABitsJob', [System.Management.Automation.ErrorCategory]::InvalidArgument, $job)))
            continue
        }
        $id
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

function Receive-BwJobSnapshot {
    # Takes a snapshot the library returned for an open job into its entry:
    # the error in an error state (read again when the snapshot changed), the
    # info (read again when the job is final or with -FreshInfo; else the one
    # read before), and the status object. Returns $null, or the library's
    # exception (returned, not thrown: see Job.TryPoll).
    [CmdletBinding()]
    [OutputType([BitsWatch.Native.BitsWatchException])]
    param(
        [Parameter(Mandatory = $true)]
        $Entry,

        [Parameter(Mandatory = $true)]
        [BitsWatch.Native.JobStatus] $Raw,

        [switch] $FreshInfo
    )

    $Entry.Raw = $Raw
    if ($Raw.State -eq 4 -or $Raw.State -eq 5) {
        if ($Raw.Changed -or $null -eq $Entry.JobError) {
            $jobError = $null
            $failure = $Entry.Job.TryGetError([ref]$jobError)
            if ($null -ne $failure) {
                return $failure
            }
            $Entry.JobError = $jobError
        }
    }
    else {
        $Entry.JobError = $null
    }
    if ($FreshInfo -or $Raw.IsFinal -or $null -eq $Entry.Info) {
        $info = $null
        $failure = $Entry.Job.TryGetInfo([ref]$info)
        if ($null -ne $failure) {
            return $failure
        }
        $Entry.Info = $info
    }
    $Entry.Status = ConvertTo-BwJobStatus -Status $Raw -Info $Entry.Info -JobError $Entry.JobError
    return $null
}

function Read-BwJobStatus {
    # Reads one open job into its entry (BwJobPoll, waiting up to WaitMs),
    # then as Receive-BwJobSnapshot. Returns $null, or the library's exception.
    [CmdletBinding()]
    [OutputType([BitsWatch.Native.BitsWatchException])]
    param(
        [Parameter(Mandatory = $true)]
        $Entry,

        [int] $WaitMs = 0,

        [switch] $FreshInfo
    )

    $raw = $null
    $failure = $Entry.Job.TryPoll([uint32]$WaitMs, [ref]$raw)
    if ($null -ne $failure) {
        return $failure
    }
    return Receive-BwJobSnapshot -Entry $Entry -Raw $raw -FreshInfo:$FreshInfo
}

function Open-BwJobEntry {
    # Opens each job for a command: one entry per job that opened (the
    # others get an error through the command); Index is the position given.
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [Guid[]] $JobId,

        [AllowNull()]
        [System.Collections.Generic.List[object]] $Into,

        [switch] $Listing
    )

    $index = 0
    foreach ($id in $JobId) {
        $entry = [PSCustomObject]@{
            Index         = $index
            JobId         = $id
            Name          = $id.ToString('B')
            Job           = $null
            Raw           = $null
            Info          = $null
            JobError      = $null
            Status        = $null
            Done          = $false
            ErrorShown    = $false
            WarnedIdle    = $false
            WarnedService = $false
        }
        $index++
        $job = $null
        $info = $null
        $failure = [BitsWatch.Native.Job]::TryOpen($id, [ref]$job)
        if ($null -eq $failure) {
            $entry.Job = $job
            $failure = $job.TryGetInfo([ref]$info)
        }
        if ($null -eq $failure) {
            $entry.Info = $info
            $name = ConvertTo-BwDisplayText $info.DisplayName
            if ($name) {
                $entry.Name = $name
            }
        }
        else {
            if ($null -ne $entry.Job) {
                $entry.Job.Dispose()
                $entry.Job = $null
            }
            # A listed job may finish and vanish before it is read.
            if (-not ($Listing -and $failure.HResult -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND)) {
                Write-BwJobError -Cmdlet $Cmdlet -JobId $id -Exception $failure
            }
            $entry.Done = $true
        }
        if ($null -ne $Into) {
            $Into.Add($entry)
        }
    }
}

function Invoke-BwWatchEntry {
    # What a watch does with a job it has just read: the error of a job in
    # error (once), a warning for a job that waits on something (once while it
    # stays so), -Complete on a transferred job; the entry is Done once the
    # job is final. Returns $null, or the library's exception.
    [CmdletBinding()]
    [OutputType([BitsWatch.Native.BitsWatchException])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        $Entry,

        [switch] $Complete
    )

    $e = $Entry
    $raw = $e.Raw
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
        $Cmdlet.WriteError((New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList @(
                    $ex, 'BitsWatch.JobInError', [System.Management.Automation.ErrorCategory]::ConnectionError, $e.JobId)))
    }
    if ($raw.State -eq 3 -or $raw.State -eq 5) {
        # Not final: the watch goes on until it moves again.
        if (-not $e.WarnedIdle) {
            $e.WarnedIdle = $true
            if ($raw.State -eq 3) {
                $Cmdlet.WriteWarning(('BITS job {0} ({1}) is suspended: it will not finish until it is resumed (Resume-BitsTransfer). Waiting; -TimeoutSec limits the wait.' -f $e.JobId, $e.Name))
            }
            else {
                $Cmdlet.WriteWarning(('BITS job {0} ({1}) is in a transient error ({2}); BITS retries it by itself (Resume-BitsTransfer retries now). Waiting; -TimeoutSec limits the wait.' -f $e.JobId, $e.Name, $e.Status.ErrorDescription))
            }
        }
    }
    else {
        $e.WarnedIdle = $false
    }
    if ($raw.State -eq 6 -and $Complete) {
        $target = 'BITS job {0} ({1})' -f $e.JobId, $e.Name
        if ($Cmdlet.ShouldProcess($target, 'Complete (acknowledge the transfer; its files move to their destination)')) {
            $failure = $e.Job.TryComplete()
            if ($null -eq $failure) {
                $failure = Read-BwJobStatus -Entry $e -FreshInfo
            }
            if ($null -ne $failure) {
                return $failure
            }
        }
    }
    if ($e.Raw.IsFinal) {
        $e.Done = $true
    }
    return $null
}

function Write-BwWatchFailure {
    # A read of a watched job failed. The service restarting (the library
    # reconnects on the next call): one warning, and the job stays watched
    # ($true: the caller waits before the next call, which would fail at
    # once). A job that is gone: a warning; any other failure: an error of the
    # calling command; either way the entry is Done ($false).
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        $Entry,

        [Parameter(Mandatory = $true)]
        [BitsWatch.Native.BitsWatchException] $Failure
    )

    $e = $Entry
    if ($script:ServiceDownCodes -contains $Failure.HResult) {
        if (-not $e.WarnedService) {
            $e.WarnedService = $true
            $Cmdlet.WriteWarning(('BITS job {0} ({1}): the BITS service is not answering ({2}); still watching.' -f $e.JobId, $e.Name, $Failure.Message))
        }
        return $true
    }
    if ($Failure.HResult -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND) {
        $Cmdlet.WriteWarning(('BITS job {0} ({1}) is gone.' -f $e.JobId, $e.Name))
        $e.Status = $null
    }
    else {
        Write-BwJobError -Cmdlet $Cmdlet -JobId $e.JobId -Exception $Failure
    }
    $e.Done = $true
    return $false
}

function Invoke-BwWatch {
    # The loop of Watch-BitsJob and Wait-BitsJob: waits on every job at once
    # until each is done (transferred, acknowledged, cancelled, in error, or
    # gone) or the timeout passes; returns the final status objects in the
    # order given. Errors and warnings go through the calling command's
    # $PSCmdlet.
    [CmdletBinding()]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [Guid[]] $JobId,

        [int] $IntervalMs = 500,

        [int] $TimeoutSec = 0,

        [switch] $Complete,

        [switch] $Display,

        [switch] $Listing
    )

    $entries = New-Object -TypeName System.Collections.Generic.List[object]
    $draw = [System.Diagnostics.Stopwatch]::StartNew()
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $lastDraw = -1000
    $drawPending = $false   # a change not drawn yet (the draws are throttled)
    try {
        Open-BwJobEntry -Cmdlet $Cmdlet -JobId $JobId -Into $entries -Listing:$Listing

        while ($true) {
            $active = New-Object -TypeName System.Collections.Generic.List[object]
            foreach ($e in $entries) {
                if (-not $e.Done) {
                    $active.Add($e)
                }
            }
            if ($active.Count -eq 0) {
                break
            }
            $remainingMs = [int]::MaxValue
            if ($TimeoutSec -gt 0) {
                $remainingMs = [int]($TimeoutSec * 1000 - $clock.ElapsedMilliseconds)
                if ($remainingMs -le 0) {
                    foreach ($e in $active) {
                        $state = 'not read yet'
                        if ($null -ne $e.Status) {
                            $state = $e.Status.State
                        }
                        $message = 'Timed out after {0} s waiting for BITS job {1} ({2}); it is {3}.' -f $TimeoutSec, $e.JobId, $e.Name, $state
                        $Cmdlet.WriteError((New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList @(
                                    (New-Object -TypeName System.TimeoutException -ArgumentList $message),
                                    'BitsWatch.Timeout',
                                    [System.Management.Automation.ErrorCategory]::OperationTimeout,
                                    $e.JobId)))
                    }
                    break
                }
            }
            # One wait for the whole set (BwJobPollMany): a change of any job
            # ends it. A wait is at most MaxWaitMs, so Ctrl+C (which
            # PowerShell can act on only between calls) ends the command
            # promptly; a change not drawn yet shortens it to its draw time.
            $wait = [math]::Min([math]::Min($IntervalMs, $remainingMs), $script:MaxWaitMs)
            if ($Display -and $drawPending) {
                $wait = [math]::Max(0, [math]::Min($wait, $script:DrawIntervalMs - ($draw.ElapsedMilliseconds - $lastDraw)))
            }
            $jobs = New-Object -TypeName 'BitsWatch.Native.Job[]' -ArgumentList $active.Count
            for ($i = 0; $i -lt $active.Count; $i++) {
                $jobs[$i] = $active[$i].Job
            }
            $results = [BitsWatch.Native.Job]::PollMany($jobs, [uint32]$wait)
            $serviceDown = $false
            for ($i = 0; $i -lt $active.Count; $i++) {
                $e = $active[$i]
                $r = $results[$i]
                $failure = $r.Failure
                if ($null -eq $failure) {
                    # Nothing new (and the same rate and ETA): nothing to do.
                    # (A final job not Done yet, whose -Complete failed while
                    # the service restarted, is tried again.)
                    $s = $r.Status
                    if (-not $r.Changed -and $null -ne $e.Status -and -not $s.IsFinal -and
                        $s.BytesPerSecond -eq $e.Raw.BytesPerSecond -and $s.EtaSeconds -eq $e.Raw.EtaSeconds) {
                        $e.Raw = $s
                        $e.WarnedService = $false
                        continue
                    }
                    $drawPending = $true
                    $failure = Receive-BwJobSnapshot -Entry $e -Raw $s
                    if ($null -eq $failure) {
                        $failure = Invoke-BwWatchEntry -Cmdlet $Cmdlet -Entry $e -Complete:$Complete
                    }
                }
                if ($null -ne $failure) {
                    $drawPending = $true
                    if (Write-BwWatchFailure -Cmdlet $Cmdlet -Entry $e -Failure $failure) {
                        $serviceDown = $true
                    }
                }
                else {
                    $e.WarnedService = $false
                }
            }
            if ($serviceDown -and $wait -gt 0) {
                # The library answered at once: the wait did not happen there.
                [System.Threading.Thread]::Sleep($wait)
            }
            if ($Display -and $drawPending -and ($draw.ElapsedMilliseconds - $lastDraw) -ge $script:DrawIntervalMs) {
                $lastDraw = $draw.ElapsedMilliseconds
                $drawPending = $false
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

        # Jobs that did not finish (timeout): owner, times and name as they
        # are now, read once more.
        foreach ($e in $entries) {
            if ($null -ne $e.Job -and $null -ne $e.Raw -and -not $e.Raw.IsFinal -and $null -ne $e.Status) {
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

function Confirm-BwCompleteAll {
    # -Complete on every listed job (-All, -Name) acknowledges other programs'
    # jobs: treated as ConfirmImpact High, so it asks unless -Confirm:$false
    # (or $ConfirmPreference = 'None'); -WhatIf asks nothing (ShouldProcess
    # reports each job instead). $true: go on.
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [string] $ConfirmPreferenceValue,

        [bool] $WhatIf
    )

    if ($WhatIf -or $ConfirmPreferenceValue -eq 'None') {
        return $true
    }
    return $Cmdlet.ShouldContinue(
        'Complete every listed BITS job that reaches Transferred? This acknowledges jobs other programs created; they may still want to read them. Use -Confirm:$false in scripts.',
        'Complete BITS jobs')
}

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
    without wildcards that matches no job writes an error.

    .PARAMETER AllUsers
    Lists the jobs of every user instead of the current user's. Needs
    administrator rights; without them the command fails with access denied.

    .PARAMETER SampleMs
    How long to measure the transfer rate of moving jobs (all of them at
    once), 0 to 10000 ms, default 500. 0: read each job once (no rate, no ETA).

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
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(ParameterSetName = 'ById', Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Id', 'Guid')]
        [BitsWatch.Native.JobIdTransformation()]
        [Guid[]] $JobId,

        [Parameter(ParameterSetName = 'BitsJob', Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [object[]] $BitsJob,

        [Parameter(ParameterSetName = 'List')]
        [ValidateNotNullOrEmpty()]
        [SupportsWildcards()]
        [string[]] $Name,

        [Parameter(ParameterSetName = 'List')]
        [switch] $AllUsers,

        [ValidateRange(0, 10000)]
        [int] $SampleMs = 500
    )

    begin {
        $ids = New-Object -TypeName System.Collections.Generic.List[Guid]
    }
    process {
        if ($PSCmdlet.ParameterSetName -eq 'ById') {
            $ids.AddRange([Guid[]]$JobId)
        }
        elseif ($PSCmdlet.ParameterSetName -eq 'BitsJob') {
            foreach ($id in (Get-BwBitsJobId -Cmdlet $PSCmdlet -BitsJob $BitsJob)) {
                $ids.Add($id)
            }
        }
    }
    end {
        $listing = $PSCmdlet.ParameterSetName -eq 'List'
        $list = @(Get-BwJobIdList -Cmdlet $PSCmdlet -JobId $ids.ToArray() -List:$listing -Name $Name -AllUsers:$AllUsers)
        $entries = New-Object -TypeName System.Collections.Generic.List[object]
        try {
            Open-BwJobEntry -Cmdlet $PSCmdlet -JobId $list -Into $entries -Listing:$listing
            $read = New-Object -TypeName System.Collections.Generic.List[object]
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

            # The rate: a second read of the moving jobs SampleMs later, on the
            # same handles. The time passes inside BwJobPoll (it returns early
            # on a change, so the loop waits in short steps).
            $moving = @($read | Where-Object { $_.Raw.State -eq 1 -or $_.Raw.State -eq 2 })
            if ($SampleMs -gt 0 -and $moving.Count -gt 0) {
                $clock = [System.Diagnostics.Stopwatch]::StartNew()
                $last = $moving[$moving.Count - 1]
                $ignored = $null
                while ($clock.ElapsedMilliseconds -lt $SampleMs) {
                    $wait = [math]::Min($script:MaxWaitMs, $SampleMs - $clock.ElapsedMilliseconds)
                    if ($null -ne $last.Job.TryPoll([uint32][math]::Max(1, $wait), [ref]$ignored)) {
                        break   # its own read below reports what went wrong
                    }
                }
                foreach ($e in $moving) {
                    $failure = Read-BwJobStatus -Entry $e
                    if ($null -ne $failure) {
                        if ($failure.HResult -ne [BitsWatch.Native.Codes]::BG_E_NOT_FOUND) {
                            Write-BwJobError -Cmdlet $PSCmdlet -JobId $e.JobId -Exception $failure
                        }
                        $e.Status = $null
                    }
                }
            }
        }
        finally {
            foreach ($e in $entries) {
                if ($null -ne $e.Job) {
                    $e.Job.Dispose()
                }
            }
        }
        foreach ($e in $entries) {
            if ($null -ne $e.Status) {
                $e.Status
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

    Bars use the fixed Ids 0x4257 + 2*i (job i) and 0x4257 + 2*i + 1 (its reply).

    .PARAMETER JobId
    The GUIDs of the jobs to watch: GUIDs, GUID strings, or objects with a
    JobId property (Get-BitsTransfer output), also from the pipeline.

    .PARAMETER BitsJob
    BITS job objects (Get-BitsTransfer output, live or deserialized).

    .PARAMETER All
    Watches every job of the current user (every user's with -AllUsers).

    .PARAMETER Name
    Watches the jobs whose display name matches one of these names (wildcards
    allowed), like Get-BitsTransfer -Name.

    .PARAMETER AllUsers
    With -All or -Name: every user's jobs (needs an elevated session).

    .PARAMETER IntervalMs
    The longest single wait inside bitswatch.dll when nothing changes (50 to
    60000, default 500; a wait never lasts more than 200 ms, so Ctrl+C acts
    promptly). A change of any job ends the wait at once.

    .PARAMETER TimeoutSec
    Stops watching after this many seconds (0, the default: no limit). Jobs
    still running are reported with a non-terminating timeout error.

    .PARAMETER Complete
    Completes (Complete-BitsTransfer) each job that reaches Transferred, so its
    files appear at their destination. Supports -WhatIf and -Confirm; with -All
    or -Name it asks first (as a high-impact action) unless -Confirm:$false.

    .PARAMETER PassThru
    Writes the final BitsWatch.JobStatus of every job when the watch ends.

    .PARAMETER WhatIf
    With -Complete: shows which jobs would be completed, and completes none.

    .PARAMETER Confirm
    With -Complete: asks before completing each job.

    .EXAMPLE
    Start-BitsTransfer -Source https://example.com/big.iso -Destination C:\Temp -Asynchronous | Watch-BitsJob -Complete

    Starts a download, shows its progress and completes it when it is done.

    .EXAMPLE
    Watch-BitsJob -All -TimeoutSec 600 -PassThru | Where-Object State -ne 'Acknowledged'

    Watches every job of the current user for at most ten minutes and lists
    those that did not finish.

    .EXAMPLE
    Watch-BitsJob -Name 'Nightly*' -AllUsers -Complete -Confirm:$false

    Watches every user's "Nightly..." jobs and completes them without asking.

    .INPUTS
    System.Guid, System.String, or any object with a JobId property (Get-BitsTransfer output).

    .OUTPUTS
    None, or BitsWatch.JobStatus with -PassThru.

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
            $ids.AddRange([Guid[]]$JobId)
        }
        elseif ($PSCmdlet.ParameterSetName -eq 'BitsJob') {
            foreach ($id in (Get-BwBitsJobId -Cmdlet $PSCmdlet -BitsJob $BitsJob)) {
                $ids.Add($id)
            }
        }
    }
    end {
        $listing = $PSCmdlet.ParameterSetName -eq 'All' -or $PSCmdlet.ParameterSetName -eq 'Name'
        $list = @(Get-BwJobIdList -Cmdlet $PSCmdlet -JobId $ids.ToArray() -List:$listing -Name $Name -AllUsers:$AllUsers)
        if ($Complete -and $listing -and -not (Confirm-BwCompleteAll -Cmdlet $PSCmdlet -ConfirmPreferenceValue $ConfirmPreference -WhatIf ([bool]$WhatIfPreference))) {
            return
        }
        $final = Invoke-BwWatch -Cmdlet $PSCmdlet -JobId $list -IntervalMs $IntervalMs -TimeoutSec $TimeoutSec -Complete:$Complete -Display -Listing:$listing
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
    bitswatch.dll, on all the jobs at once (BwJobPollMany; no Start-Sleep
    loop), until every job is transferred,
    acknowledged, cancelled, in error or gone, or until -TimeoutSec passes, and
    returns one BitsWatch.JobStatus object per job. Jobs in error write a
    non-terminating error with their description; a timeout writes a
    non-terminating error per unfinished job (the objects returned then still
    have the job's owner, times and name). A suspended job, or one in a
    transient error, writes a warning once and is waited for. Ctrl+C ends the
    wait within about 200 ms.

    .PARAMETER JobId
    The GUIDs of the jobs: GUIDs, GUID strings, or objects with a JobId
    property (Get-BitsTransfer output), also from the pipeline.

    .PARAMETER BitsJob
    BITS job objects (Get-BitsTransfer output, live or deserialized).

    .PARAMETER All
    Waits for every job of the current user (every user's with -AllUsers).

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
        if ($PSCmdlet.ParameterSetName -eq 'ById') {
            $ids.AddRange([Guid[]]$JobId)
        }
        elseif ($PSCmdlet.ParameterSetName -eq 'BitsJob') {
            foreach ($id in (Get-BwBitsJobId -Cmdlet $PSCmdlet -BitsJob $BitsJob)) {
                $ids.Add($id)
            }
        }
    }
    end {
        $listing = $PSCmdlet.ParameterSetName -eq 'All' -or $PSCmdlet.ParameterSetName -eq 'Name'
        $list = @(Get-BwJobIdList -Cmdlet $PSCmdlet -JobId $ids.ToArray() -List:$listing -Name $Name -AllUsers:$AllUsers)
        if ($Complete -and $listing -and -not (Confirm-BwCompleteAll -Cmdlet $PSCmdlet -ConfirmPreferenceValue $ConfirmPreference -WhatIf ([bool]$WhatIfPreference))) {
            return
        }
        Invoke-BwWatch -Cmdlet $PSCmdlet -JobId $list -IntervalMs $IntervalMs -TimeoutSec $TimeoutSec -Complete:$Complete -Listing:$listing
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
