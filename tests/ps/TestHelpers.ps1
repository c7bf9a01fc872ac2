# TestHelpers.ps1 - shared by the *.Tests.ps1 files (dot-sourced in BeforeAll).
#
# The suite runs the module as a user would: Import-Module of a copy of ps/
# laid out like the package (packaging/package.sh: a folder named BitsWatch
# with the .psd1, .psm1 (the functions joined in), .ps1xml and .cs), with the
# native library named by the module's documented override,
# BITSWATCH_NATIVE_LIBRARY (run-pester.sh sets it to the simulator library,
# libbitswatch_sim.so).
#
# The simulator reads the scenario file named by BITSWATCH_SIM_SCENARIO, set
# before pwsh started (native code sees only the process' original
# environment); Set-BwScenario rewrites that file, and the simulator reloads
# it on its next call (job times count from that reload).

$script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).Path
# BW_TEST_MODULE_SOURCE: run the suite against another copy of ps/ (an older
# commit's, to see a test fail before its fix).
$script:SourceDir = $env:BW_TEST_MODULE_SOURCE
if (-not $script:SourceDir) {
    $script:SourceDir = Join-Path -Path $script:RepoRoot -ChildPath 'ps'
}
$script:OutDir = $env:BW_PESTER_OUT
if (-not $script:OutDir) {
    $script:OutDir = Join-Path -Path $script:RepoRoot -ChildPath 'build/pester'
}
$script:Pwsh = $env:BW_PWSH
if (-not $script:Pwsh) {
    $script:Pwsh = [Environment]::ProcessPath
}
$script:SimLibrary = $env:BITSWATCH_NATIVE_LIBRARY
$script:ScenarioPath = $env:BITSWATCH_SIM_SCENARIO

# The compiled assembly (tests/ps/build-assembly.sh; run-pester.sh sets it).
$script:Assembly = $env:BW_TEST_ASSEMBLY

# The module files the package ships: packaging/module_files.py lays them out
# as packaging/package.sh does (the manifest, format file and C# source as
# they are, BitsWatch.psm1 with the function files of Private/ and Public/
# joined in), with the compiled BitsWatch.Native.dll beside them.
function Copy-BwModule {
    # Copies the module into DESTINATION/BitsWatch (created) and returns that
    # folder; -NoAssembly leaves BitsWatch.Native.dll out (the module then
    # compiles src/*.cs, as from the source tree).
    param(
        [Parameter(Mandatory = $true)]
        [string] $Destination,

        [switch] $NoAssembly
    )
    # .NET calls: the cmdlets would read [ ] in a path as wildcards.
    $dir = Join-Path -Path $Destination -ChildPath 'BitsWatch'
    $null = [System.IO.Directory]::CreateDirectory($dir)
    $layout = Join-Path -Path $script:RepoRoot -ChildPath 'packaging/module_files.py'
    $text = & python3 $layout $script:SourceDir $dir 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw ('packaging/module_files.py failed ({0}): {1}' -f $LASTEXITCODE, ($text -join ' '))
    }
    if (-not $NoAssembly) {
        if (-not $script:Assembly -or -not [System.IO.File]::Exists($script:Assembly)) {
            throw "BW_TEST_ASSEMBLY names no BitsWatch.Native.dll ('$($script:Assembly)'): run tests/ps/run-pester.sh"
        }
        [System.IO.File]::Copy($script:Assembly, (Join-Path -Path $dir -ChildPath 'BitsWatch.Native.dll'), $true)
    }
    foreach ($extra in 'LICENSE', 'README.md') {
        $f = Join-Path -Path $script:RepoRoot -ChildPath $extra
        if ([System.IO.File]::Exists($f)) {
            [System.IO.File]::Copy($f, (Join-Path -Path $dir -ChildPath $extra), $true)
        }
    }
    return $dir
}

# One package-like copy per test run, shared by the tests that import in this process.
$script:ModuleDir = Join-Path -Path (Join-Path -Path $script:OutDir -ChildPath 'module') -ChildPath 'BitsWatch'
if (-not (Test-Path -LiteralPath (Join-Path -Path $script:ModuleDir -ChildPath 'BitsWatch.psd1'))) {
    $null = Copy-BwModule -Destination (Join-Path -Path $script:OutDir -ChildPath 'module')
}

function Set-BwScenario {
    # Writes the simulator's scenario (UTF-8, no BOM); the next native call reloads it.
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $Text,

        [string] $Path = $script:ScenarioPath
    )
    [System.IO.File]::WriteAllText($Path, $Text + "`n", [System.Text.UTF8Encoding]::new($false))
    # Load it now, so its times count from here (any later native call of
    # this process would load it, e.g. a finalizer closing an old handle).
    if ($Path -eq $script:ScenarioPath -and ('BitsWatch.Native.Job' -as [type])) {
        $count = [uint32]0
        $null = [BitsWatch.Tests.SimHooks]::BwEnumJobs(0, [IntPtr]::Zero, 0, [ref]$count)
    }
}

function Invoke-BwFreshSession {
    # Runs SCRIPT in a new pwsh process (-NoProfile -NonInteractive) and
    # returns ExitCode, Output (stdout lines) and ErrorText (stderr).
    # Environment adds or replaces variables of the child (a $null value removes one).
    param(
        [Parameter(Mandatory = $true)]
        [string] $Script,

        [hashtable] $Environment = @{},

        [int] $TimeoutSec = 120
    )
    $file = Join-Path -Path $script:OutDir -ChildPath ('fresh-{0}.ps1' -f [Guid]::NewGuid().ToString('N'))
    [System.IO.File]::WriteAllText($file, $Script, [System.Text.UTF8Encoding]::new($false))
    try {
        $psi = [System.Diagnostics.ProcessStartInfo]::new()
        $psi.FileName = $script:Pwsh
        foreach ($a in '-NoLogo', '-NoProfile', '-NonInteractive', '-File', $file) {
            $psi.ArgumentList.Add($a)
        }
        $psi.UseShellExecute = $false
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.Environment['NO_COLOR'] = '1'
        $psi.Environment['TERM'] = 'dumb'
        foreach ($k in $Environment.Keys) {
            if ($null -eq $Environment[$k]) {
                $null = $psi.Environment.Remove($k)
            }
            else {
                $psi.Environment[$k] = [string]$Environment[$k]
            }
        }
        $p = [System.Diagnostics.Process]::Start($psi)
        $stderr = $p.StandardError.ReadToEndAsync()
        $stdout = $p.StandardOutput.ReadToEndAsync()
        if (-not $p.WaitForExit($TimeoutSec * 1000)) {
            $p.Kill($true)
            throw "fresh session did not end within $TimeoutSec s"
        }
        $p.WaitForExit()
        [PSCustomObject]@{
            ExitCode  = $p.ExitCode
            Output    = @($stdout.Result -split "`r?`n" | Where-Object { $_ -ne '' })
            ErrorText = $stderr.Result
        }
    }
    finally {
        Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
    }
}

function New-BwPowerShell {
    # A [powershell] in a runspace of its own with the module imported; the
    # caller adds commands, invokes, reads .Streams and disposes it.
    param(
        [string] $ModuleDir = $script:ModuleDir
    )
    $ps = [powershell]::Create()
    $null = $ps.AddCommand('Import-Module').AddParameter('Name', $ModuleDir).AddParameter('ErrorAction', 'Stop')
    $null = $ps.Invoke()
    $ps.Commands.Clear()
    return $ps
}

# The simulator's own count of the handles (BW_JOB and BW_QUEUE) open in the process:
# BwSimOpenHandles, exported by libbitswatch_sim.so only (tests/sim/README.md,
# "The test hook"), so declared here and never in the module. A DllImport of
# the library's full path binds to the copy the module already loaded
# (BITSWATCH_NATIVE_LIBRARY): the loader hands out the same library for the
# same path, so both count the same handles. Once per process.
if ($script:SimLibrary -and -not ('BitsWatch.Tests.SimHooks' -as [type])) {
    $literal = $script:SimLibrary.Replace('\', '\\').Replace('"', '\"')
    Add-Type -TypeDefinition (@'
using System.Runtime.InteropServices;

namespace BitsWatch.Tests
{
    public static class SimHooks
    {
        [DllImport("SIM_LIBRARY", CallingConvention = CallingConvention.StdCall, ExactSpelling = true)]
        public static extern uint BwSimOpenHandles();

        // Exports the module declares only internally (its NativeMethods is
        // no part of what users load): raw calls for the tests.
        [DllImport("SIM_LIBRARY", CallingConvention = CallingConvention.StdCall, ExactSpelling = true)]
        public static extern int BwEnumJobs(uint flags, System.IntPtr ids, uint capacity, out uint count);

        [DllImport("SIM_LIBRARY", CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true)]
        public static extern int BwJobOpen(string jobId, out System.IntPtr job);

        [DllImport("SIM_LIBRARY", CallingConvention = CallingConvention.StdCall, ExactSpelling = true)]
        public static extern int BwJobClose(System.IntPtr job);
    }
}
'@.Replace('SIM_LIBRARY', $literal))
}

function Invoke-InRunspace {
    # Runs a command in a [powershell] of its own (no host: what a script's
    # runspace sees), with the module imported and the scenario file's clock
    # started again just before, and returns output, errors, warnings and
    # progress records.
    param([string] $Script, [hashtable] $Arguments = @{})
    $ps = New-BwPowerShell
    # The scenario's clock starts again now, not before the import.
    Set-BwScenario ([System.IO.File]::ReadAllText($script:ScenarioPath).TrimEnd())
    try {
        $null = $ps.AddScript($Script)
        foreach ($k in $Arguments.Keys) {
            $null = $ps.AddParameter($k, $Arguments[$k])
        }
        $out = $null
        $thrown = $null
        try {
            $out = $ps.Invoke()
        }
        catch {
            $thrown = $_.Exception
        }
        # A terminating error inside the script ends its statement: it
        # shows in Streams.Error (Invoke throws only if the script does).
        $first = $null
        if ($null -ne $thrown -and $thrown -is [System.Management.Automation.IContainsErrorRecord]) {
            $first = $thrown.ErrorRecord
        }
        elseif ($ps.Streams.Error.Count -gt 0) {
            $first = $ps.Streams.Error[0]
        }
        [PSCustomObject]@{
            FirstError = $first
            Output   = @($out)
            Errors   = @($ps.Streams.Error)
            Warnings = @($ps.Streams.Warning)
            Progress = @($ps.Streams.Progress)
            Thrown   = $thrown
        }
    }
    finally {
        $ps.Dispose()
    }
}

function Get-BwTestCounter {
    # The module's own counts, internal to its assembly (no part of what
    # users load), read by reflection: whichever way the types came (the
    # compiled BitsWatch.Native.dll, or src/*.cs compiled by Add-Type into an
    # assembly no test assembly could name as a friend).
    #   JobOpen    Job.OpenCount       Jobs opened and not disposed
    #   QueueOpen  Queue.OpenCount     Queues opened and not disposed
    #   NativePoll Job.NativePollCount BwJobPoll + BwJobPollMany calls
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateSet('JobOpen', 'QueueOpen', 'NativePoll')]
        [string] $Name
    )
    $type, $property = switch ($Name) {
        'JobOpen' { [BitsWatch.Native.Job], 'OpenCount' }
        'QueueOpen' { [BitsWatch.Native.Queue], 'OpenCount' }
        'NativePoll' { [BitsWatch.Native.Job], 'NativePollCount' }
    }
    $p = $type.GetProperty($property, [System.Reflection.BindingFlags]'NonPublic, Static')
    if ($null -eq $p) {
        throw ('{0}.{1} (internal) not found' -f $type.Name, $property)
    }
    return $p.GetValue($null)
}

function Get-BwOpenHandleCount {
    # Handles the library has open (the simulator's count), or $null when the
    # library cannot tell.
    $t = 'BitsWatch.Tests.SimHooks' -as [type]
    if ($null -eq $t) {
        return $null
    }
    return $t::BwSimOpenHandles()
}

function Assert-BwHandlesClosed {
    # Every handle closed, by both counts: the module's (Job.OpenCount and
    # Queue.OpenCount, the Jobs and Queues not disposed) and the library's own
    # (BwSimOpenHandles, every BW_JOB and BW_QUEUE open in the process,
    # however it was opened), less the handles the test itself holds.
    param(
        [int] $Held = 0,

        [int] $HeldQueues = 0,

        [string] $Because = 'every handle the command opened is closed'
    )
    Get-BwTestCounter JobOpen | Should -Be $Held -Because ('{0} (Job.OpenCount)' -f $Because)
    Get-BwTestCounter QueueOpen | Should -Be $HeldQueues -Because ('{0} (Queue.OpenCount)' -f $Because)
    Get-BwOpenHandleCount | Should -Be ($Held + $HeldQueues) -Because ('{0} (the library''s BwSimOpenHandles)' -f $Because)
}
