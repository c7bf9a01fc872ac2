# module-tests.ps1 - the BitsWatch module in PowerShell for Windows (bwpshost
# under Wine) against Wine's real BITS: Import-Module of the packaged layout,
# then jobs made by bwjob.exe (another process) on the loopback HTTP server.
#
# tests/winps/run.sh runs it and checks the results file: one line per case,
# "PASS <name>" or "FAIL <name>: <why>", then "DONE". Exit code: the number of
# failed cases (0: all passed).
#
# Cases run in this order on purpose: Wine's BITS transfers one job at a time,
# so the job on the hanging endpoint (cancel-while-waiting) comes last.
param(
    [Parameter(Mandatory = $true)] [string] $ModulePath,   # ...\BitsWatch\BitsWatch.psd1
    [Parameter(Mandatory = $true)] [string] $BwJob,        # bwjob.exe
    [Parameter(Mandatory = $true)] [string] $Http,         # http://127.0.0.1:<port>
    [Parameter(Mandatory = $true)] [string] $Results,      # results file (written here)
    [Parameter(Mandatory = $true)] [string] $Work,         # folder for downloads
    [Parameter(Mandatory = $true)] [ValidateSet('X64', 'X86')] [string] $Arch
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'   # this console: the bars are tested in runspaces
$script:Failed = 0
$script:Clock = [System.Diagnostics.Stopwatch]::StartNew()
[System.IO.File]::WriteAllText($Results, '')
$null = New-Item -ItemType Directory -Force -Path $Work

function Write-Result([string] $Line) {
    [System.IO.File]::AppendAllText($Results, $Line + "`n")
    Write-Host $Line
}

function Invoke-Case([string] $Name, [scriptblock] $Body) {
    # BW_WINPS_ONLY=<regex>: run only the matching cases (and import), to debug.
    if ($env:BW_WINPS_ONLY -and $Name -ne 'import' -and $Name -notmatch $env:BW_WINPS_ONLY) {
        return
    }
    $t = $script:Clock.Elapsed.TotalSeconds
    try {
        & $Body
        Write-Result ('PASS {0} ({1:0.0} s)' -f $Name, ($script:Clock.Elapsed.TotalSeconds - $t))
    }
    catch {
        $script:Failed++
        $where = ''
        if ($_.InvocationInfo) {
            $where = ' [line {0}: {1}]' -f $_.InvocationInfo.ScriptLineNumber, $_.InvocationInfo.Line.Trim()
        }
        Write-Result ('FAIL {0}: {1}{2}' -f $Name, ($_.Exception.Message -replace '\s+', ' '), $where)
    }
}

function Assert-True($Condition, [string] $Message) {
    if (-not $Condition) {
        throw $Message
    }
}

function Assert-Equal($Expected, $Actual, [string] $What) {
    if ($Expected -ne $Actual) {
        throw ('{0}: expected <{1}>, got <{2}>' -f $What, $Expected, $Actual)
    }
}

# BW_WINPS_TRACE=1: timestamps of the steps, to debug.
function Write-Trace([string] $Text) {
    if ($env:BW_WINPS_TRACE) {
        Write-Host ('  {0:HH:mm:ss.fff} {1}' -f [DateTime]::Now, $Text)
    }
}

# bwjob.exe ARGS: its output (trimmed); throws with its output on a non-zero exit.
function Invoke-BwJob {
    Write-Trace ('bwjob {0}' -f ($args -join ' '))
    $out = & $BwJob @args 2>&1 | Out-String
    if ($LASTEXITCODE -ne 0) {
        throw ('bwjob {0}: exit {1}: {2}' -f ($args -join ' '), $LASTEXITCODE, $out.Trim())
    }
    return $out.Trim()
}

# A job made by bwjob.exe (another process); returns its GUID.
function New-TestJob([string] $UrlPath, [string] $Name, [string] $File) {
    $text = Invoke-BwJob create ($Http + $UrlPath) (Join-Path $Work $File) --name $Name
    Assert-True ($text -match '^\{[0-9A-Fa-f-]{36}\}$') "bwjob create printed '$text', not a GUID"
    return [Guid]$text
}

# The loopback server's content: byte i is i % 251.
function Assert-Content([string] $Path, [long] $Size) {
    Assert-True (Test-Path -LiteralPath $Path -PathType Leaf) "no file $Path"
    $bytes = [System.IO.File]::ReadAllBytes($Path)
    Assert-Equal $Size $bytes.Length "size of $Path"
    $expected = New-Object byte[] $Size
    $period = [byte[]](0..250)
    for ($o = 0; $o -lt $Size; $o += 251) {
        [Array]::Copy($period, 0, $expected, $o, [Math]::Min(251, $Size - $o))
    }
    if (-not [System.Linq.Enumerable]::SequenceEqual($bytes, $expected)) {
        for ($i = 0; $i -lt $Size -and $bytes[$i] -eq $expected[$i]; $i++) { }
        throw ('{0}: byte {1} is {2}, expected {3}' -f $Path, $i, $bytes[$i], $expected[$i])
    }
}

# A PowerShell of its own (runspace) with the module imported: its Progress
# stream keeps what Write-Progress wrote, which a console host only draws.
function New-ModuleShell {
    $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
    $iss.ImportPSModule([string[]]@($ModulePath))
    return [PowerShell]::Create($iss)
}

$script:Module = $null
$script:Ranks = @{ Queued = 0; Connecting = 1; Transferring = 2; Transferred = 3; Acknowledged = 4 }

Write-Host ('PowerShell {0} ({1}), {2}, 64-bit process: {3}' -f $PSVersionTable.PSVersion, $PSVersionTable.PSEdition, [Environment]::OSVersion.VersionString, [Environment]::Is64BitProcess)

Invoke-Case 'import' {
    $script:Module = Import-Module -Name $ModulePath -PassThru -Force
    $manifest = Import-PowerShellDataFile -LiteralPath $ModulePath
    Assert-Equal ([version]$manifest.ModuleVersion) $script:Module.Version 'module version'
    $exported = @($script:Module.ExportedFunctions.Keys | Sort-Object)
    Assert-Equal 'Get-BitsJobDiagnosis,Get-BitsJobStatus,Install-BitsWatch,Measure-BitsJobStatus,Wait-BitsJob,Watch-BitsJob' ($exported -join ',') 'exported functions'
    Assert-Equal ($Arch -eq 'X64') ([Environment]::Is64BitProcess) '64-bit process'
    $folder = 'win-' + $Arch.ToLowerInvariant()
    $dll = Join-Path (Split-Path -Parent $ModulePath) "bin\$folder\bitswatch.dll"
    $loaded = [BitsWatch.Native.Loader]::LoadedPath
    Assert-True ($loaded -and ([System.IO.Path]::GetFullPath($loaded) -ieq [System.IO.Path]::GetFullPath($dll))) "the module loaded '$loaded', not $dll"
    $v = [BitsWatch.Native.Job]::Version
    Assert-Equal ([BitsWatch.Native.Loader]::VersionText($v)) ([string]$script:Module.Version) 'BwGetVersion'
    $help = Get-Help Wait-BitsJob -Full | Out-String
    Assert-True ($help -match 'Complete') 'Wait-BitsJob has no help text'
}
if ($null -eq $script:Module) {
    Write-Result 'DONE'
    exit 99
}

Invoke-Case 'status-of-another-process-job' {
    $id = New-TestJob '/fast/65536' 'winps-status' 'status.bin'
    $null = Invoke-BwJob wait $id 6 30000
    $s = @(Get-BitsJobStatus -JobId $id)
    Assert-Equal 1 $s.Count 'status objects'
    $s = $s[0]
    Assert-Equal 'BitsWatch.JobStatus' $s.PSObject.TypeNames[0] 'type name'
    Assert-Equal $id $s.JobId 'JobId'
    Assert-Equal 'winps-status' $s.DisplayName 'DisplayName'
    Assert-Equal 'Transferred' $s.State 'State'
    Assert-Equal 'Transferred' $s.JobState 'JobState (BitsJob alias)'
    Assert-Equal 'Download' $s.Type 'Type'
    Assert-Equal 65536 $s.BytesTransferred 'BytesTransferred'
    Assert-Equal 1 $s.FilesTotal 'FilesTotal'
    Assert-Equal 1 $s.FilesTransferred 'FilesTransferred'
    Assert-Equal 0 $s.ErrorCode 'ErrorCode'
    $table = $s | Format-Table | Out-String
    Assert-True ($table -match 'winps-status' -and $table -match 'Transferred') "the format view shows: $table"
    # Listing every job finds it too.
    Assert-True (@(Get-BitsJobStatus | Where-Object JobId -eq $id).Count -eq 1) 'Get-BitsJobStatus without -JobId does not list the job'
    # A job that is not there: a non-terminating ObjectNotFound error.
    $gone = [Guid]::NewGuid()
    $r = @(Get-BitsJobStatus -JobId $gone -ErrorVariable ev -ErrorAction SilentlyContinue)
    Assert-Equal 0 $r.Count 'objects for a missing job'
    Assert-Equal 1 $ev.Count 'errors for a missing job'
    Assert-Equal 'ObjectNotFound' ([string]$ev[0].CategoryInfo.Category) 'category of a missing job'
    Assert-Equal $gone $ev[0].TargetObject 'target of the error'
    $null = Invoke-BwJob complete $id
}

Invoke-Case 'wait-slow-download-complete' {
    $size = 262144
    $file = Join-Path $Work 'wait.bin'
    $id = New-TestJob "/slow/${size}?rate=131072" 'winps-wait' 'wait.bin'
    $t = [System.Diagnostics.Stopwatch]::StartNew()
    $r = @(Wait-BitsJob -JobId $id -Complete -TimeoutSec 90)
    $t.Stop()
    Assert-Equal 1 $r.Count 'status objects'
    Assert-Equal 'Acknowledged' $r[0].State 'final State'
    Assert-Equal $size $r[0].BytesTransferred 'BytesTransferred'
    Assert-True ($t.Elapsed.TotalSeconds -ge 1.0) ('Wait-BitsJob returned after {0:0.00} s: the 2 s download cannot be done yet' -f $t.Elapsed.TotalSeconds)
    Assert-Content $file $size
}

Invoke-Case 'http-404-error-record' {
    $url = $Http + '/status/404'
    $id = New-TestJob '/status/404' 'winps-404' 'missing.bin'
    $r = @(Wait-BitsJob -JobId $id -TimeoutSec 60 -ErrorVariable ev -ErrorAction SilentlyContinue)
    Assert-Equal 1 $r.Count 'status objects'
    Assert-Equal 'Error' $r[0].State 'State'
    Assert-Equal ([int]0x80190194) $r[0].ErrorCode 'ErrorCode'
    Assert-Equal 'RemoteFile' $r[0].ErrorContext 'ErrorContext'
    Assert-Equal $url $r[0].ErrorRemoteName 'ErrorRemoteName'
    Assert-Equal 1 $ev.Count 'error records'
    $message = $ev[0].Exception.Message
    Assert-True ($message -match '\b404\b') "the error does not name HTTP 404: $message"
    Assert-True ($message.Contains($url)) "the error does not name the URL ${url}: $message"
    Assert-True ($ev[0].FullyQualifiedErrorId -like 'BitsWatch.JobInError*') ('error id {0}' -f $ev[0].FullyQualifiedErrorId)
    Assert-Equal $id $ev[0].TargetObject 'target of the error'
    Write-Host "  404 record: $message"
    $null = Invoke-BwJob cancel $id   # in ERROR: not moving, safe to cancel
}

Invoke-Case 'watch-progress-lifecycle' {
    $size = 196608
    $id = New-TestJob "/slow/${size}?rate=65536" 'winps-watch' 'watch.bin'
    $ps = New-ModuleShell
    try {
        $null = $ps.AddCommand('Watch-BitsJob').AddParameter('JobId', $id).AddParameter('Complete').AddParameter('IntervalMs', 100).AddParameter('PassThru').AddParameter('TimeoutSec', 90)
        $out = @($ps.Invoke())
        Assert-True (-not $ps.HadErrors) ('Watch-BitsJob wrote errors: {0}' -f (@($ps.Streams.Error) -join '; '))
        $progress = @($ps.Streams.Progress)
    }
    finally {
        $ps.Dispose()
    }
    Assert-Equal 1 $out.Count 'PassThru objects'
    Assert-Equal 'Acknowledged' $out[0].State 'final State'
    Assert-Content (Join-Path $Work 'watch.bin') $size
    $bars = @($progress | Where-Object ActivityId -eq 0x4257)
    Assert-True ($bars.Count -ge 3) "only $($bars.Count) progress records with Id 0x4257"
    $states = @()
    foreach ($p in $bars) {
        Assert-Equal 'winps-watch' $p.Activity 'progress Activity'
        if ($p.RecordType -eq 'Processing') {
            # A job that ended Acknowledged or Cancelled has left the queue:
            # its last line says so before the state ("Left the queue
            # (completed): Acknowledged: ..."), and only that prefix is allowed.
            $line = $p.StatusDescription
            if ($line -match '^Left the queue \((completed|cancelled|gone)\): (.*)$') {
                $line = $Matches[2]
            }
            $state = ($line -split ':')[0]
            Assert-True ($script:Ranks.ContainsKey($state)) "unexpected status line '$($p.StatusDescription)'"
            if ($states.Count -eq 0 -or $states[-1] -ne $state) {
                $states += $state
            }
        }
    }
    Write-Host ('  progress: {0} records, states {1}; last line "{2}"' -f $bars.Count, ($states -join ' > '), (@($bars | Where-Object RecordType -eq 'Processing')[-1].StatusDescription))
    for ($i = 1; $i -lt $states.Count; $i++) {
        Assert-True ($script:Ranks[$states[$i]] -gt $script:Ranks[$states[$i - 1]]) ('states out of lifecycle order: {0}' -f ($states -join ' > '))
    }
    Assert-True ($states -contains 'Transferring') ('never Transferring: {0}' -f ($states -join ' > '))
    Assert-Equal 'Completed' ([string]$bars[-1].RecordType) 'the last record ends the bar'
    $moving = @($bars | Where-Object { $_.RecordType -eq 'Processing' -and $_.StatusDescription -like 'Transferring:*' })
    Assert-True (@($moving | Where-Object { $_.StatusDescription -match '/s' }).Count -ge 1) 'no Transferring line shows a rate'
}

Invoke-Case 'pipeline-bitsjob-shaped-objects' {
    $ids = @(
        (New-TestJob '/fast/1000' 'winps-pipe-a' 'pipe-a.bin'),
        (New-TestJob '/fast/2000' 'winps-pipe-b' 'pipe-b.bin'))
    foreach ($id in $ids) {
        $null = Invoke-BwJob wait $id 6 30000
    }
    # What Get-BitsTransfer returns (BitsTransfer is not available here).
    $jobs = foreach ($id in $ids) {
        [PSCustomObject]@{
            PSTypeName   = 'Microsoft.BackgroundIntelligentTransfer.Management.BitsJob'
            JobId        = $id
            DisplayName  = 'shaped'
            JobState     = 'Transferred'
            TransferType = 'Download'
        }
    }
    $s = @($jobs | Get-BitsJobStatus)
    Assert-Equal 2 $s.Count 'status objects from BitsJob objects'
    Assert-Equal ($ids -join ',') ($s.JobId -join ',') 'JobIds, in order'
    Assert-Equal 'winps-pipe-a,winps-pipe-b' ($s.DisplayName -join ',') 'DisplayNames (from BITS, not the input)'
    # Deserialized, as from Invoke-Command on another machine.
    $remote = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($jobs))
    Assert-True ($remote[0].PSObject.TypeNames -contains 'Deserialized.Microsoft.BackgroundIntelligentTransfer.Management.BitsJob') 'not deserialized'
    $s2 = @($remote | Get-BitsJobStatus)
    Assert-Equal ($ids -join ',') ($s2.JobId -join ',') 'JobIds from deserialized objects'
    # GUID strings and the status objects themselves bind too.
    Assert-Equal 2 @($ids | ForEach-Object { $_.ToString('B') } | Get-BitsJobStatus).Count 'status objects from GUID strings'
    Assert-Equal 2 @($s | Get-BitsJobStatus).Count 'status objects from status objects'
    # Its own output survives serialization, with the BitsJob names.
    $back = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($s))
    Assert-Equal 'Deserialized.BitsWatch.JobStatus' $back[0].PSObject.TypeNames[0] 'deserialized type name'
    Assert-Equal 'Transferred' $back[0].JobState 'JobState of a deserialized status'
    $done = @($jobs | Wait-BitsJob -Complete -TimeoutSec 30)
    Assert-Equal 'Acknowledged,Acknowledged' ($done.State -join ',') 'Wait-BitsJob -Complete from the pipeline'
    Assert-Content (Join-Path $Work 'pipe-b.bin') 2000
}

# Wait-BitsJob on one job in a runspace of its own; 0.7 s into the wait,
# $Check runs (it may throw), then bwjob.exe cancels the job from another
# process. Returns the final status, the errors written and how long the wait
# took after the cancel.
# (The runspace's streams are read only once it finished: enumerating a
# PSDataCollection that is still open blocks until it closes.)
function Test-CancelWhileWaiting([Guid] $Id, [scriptblock] $Check) {
    $ps = New-ModuleShell
    try {
        $null = $ps.AddCommand('Wait-BitsJob').AddParameter('JobId', $Id).AddParameter('TimeoutSec', 60)
        $async = $ps.BeginInvoke()
        $null = $async.AsyncWaitHandle.WaitOne(700)
        if ($async.IsCompleted) {
            $null = $ps.EndInvoke($async)
            throw ('Wait-BitsJob returned before the cancel: {0}' -f (@($ps.Streams.Error) -join '; '))
        }
        & $Check
        $t = [System.Diagnostics.Stopwatch]::StartNew()
        $null = Invoke-BwJob cancel $Id
        Assert-True ($async.AsyncWaitHandle.WaitOne(20000)) 'Wait-BitsJob still waits 20 s after the cancel'
        $t.Stop()
        $out = @($ps.EndInvoke($async))
        Assert-Equal 1 $out.Count 'status objects'
        return [PSCustomObject]@{
            Status = $out[0]
            Errors = @($ps.Streams.Error)
            Ms     = $t.Elapsed.TotalMilliseconds
        }
    }
    finally {
        $ps.Dispose()
    }
}

Invoke-Case 'cancelled-by-another-process-while-waited-on' {
    # Headers, then no body: the job stays CONNECTING/TRANSFERRING with nothing
    # in flight, the one moving job Wine 8's BITS cancels safely (wine-bits.md).
    # Wine's BITS moves one job at a time: a second job waits QUEUED behind
    # it, a job that is not moving. Both are cancelled while being waited on,
    # the queued one first.
    $hang = New-TestJob '/hang/100000' 'winps-cancel-moving' 'hang.bin'
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    do {
        Start-Sleep -Milliseconds 100
        $state = Invoke-BwJob state $hang
    } until ($state -match '^[12] ' -or [DateTime]::UtcNow -gt $deadline)
    Assert-True ($state -match '^[12] ') "the hanging job is '$state', not Connecting or Transferring"
    $queued = New-TestJob '/fast/5000' 'winps-cancel-queued' 'queued.bin'

    $r = Test-CancelWhileWaiting $queued {
        $b = Invoke-BwJob state $queued
        Assert-True ($b -match '^0 ') "before the cancel the second job is '$b', not Queued"
    }
    Write-Host ('  queued job: {0} {1:0} ms after the cancel' -f $r.Status.State, $r.Ms)
    Assert-Equal 0 $r.Errors.Count ('errors for the queued job: {0}' -f ($r.Errors -join '; '))
    Assert-Equal 'Cancelled' $r.Status.State 'final State of the queued job'
    Assert-True ($r.Ms -lt 5000) ('the wait ended {0:0} ms after the cancel' -f $r.Ms)

    $r = Test-CancelWhileWaiting $hang {
        $a = Invoke-BwJob state $hang
        Assert-True ($a -match '^[12] ') "before the cancel the hanging job is '$a', not moving"
    }
    Write-Host ('  moving job: {0} {1:0} ms after the cancel' -f $r.Status.State, $r.Ms)
    Assert-Equal 0 $r.Errors.Count ('errors for the moving job: {0}' -f ($r.Errors -join '; '))
    Assert-Equal 'Cancelled' $r.Status.State 'final State of the moving job'
    Assert-True ($r.Ms -lt 5000) ('the wait ended {0:0} ms after the cancel' -f $r.Ms)
}

Write-Result 'DONE'
exit $script:Failed
