# tests/bench/fleet.ps1 - the fleet targets of issue 20, measured (not a test):
#   1. Get-BitsJobStatus -Session on 20 machines vs on 1 (sessions open),
#      and with a 21st machine whose session broke;
#   2. Watch-BitsJob -Session on 5 machines x 10 jobs: from a job's change on
#      its machine to its bar's new text here (median, p90, max);
# beside the machine's round-trip cost (one Invoke-Command on one session).
# Run by tests/bench/fleet.sh, which starts the machines (BW_FLEET_DIR).
param(
    [int] $Repeat = 10
)
$ErrorActionPreference = 'Stop'
. (Join-Path -Path $PSScriptRoot -ChildPath '../ps/TestHelpers.ps1')
Import-Module $script:ModuleDir -Force

$dir = $env:BW_FLEET_DIR
$machines = @(Import-Csv -LiteralPath (Join-Path $dir 'machines.csv'))
$key = Join-Path $dir 'keys/user_ed25519'
$options = @{ HostName = '127.0.0.1'; StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
$clock = [System.Diagnostics.Stopwatch]::StartNew()
$sessions = @{}
foreach ($m in $machines) {
    $sessions[$m.name] = New-PSSession -HostName $m.name -Port ([int]$m.port) -UserName ([Environment]::UserName) -KeyFilePath $key -Options $options
}
'{0} sessions opened in {1:0.0} s (one at a time)' -f $sessions.Count, $clock.Elapsed.TotalSeconds
$web = @($machines | Where-Object name -like 'web*' | ForEach-Object { $sessions[$_.name] })

function Get-Median([double[]] $v) {
    $s = @($v | Sort-Object)
    if ($s.Count % 2) { return $s[[int][math]::Floor($s.Count / 2)] }
    return ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}
function Measure-Ms([scriptblock] $Block, [int] $Times) {
    $v = foreach ($i in 1..$Times) {
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $null = & $Block
        $sw.Elapsed.TotalMilliseconds
    }
    [PSCustomObject]@{ Median = (Get-Median $v) }
}

# Every machine: 10 queued jobs (the status benchmark reads them).
foreach ($m in $machines) {
    $lines = foreach ($j in 1..10) {
        'job {{b0000000-0000-0000-{0:D4}-{1:D12}}} name="job {1}"' -f ([int]($m.name -replace '\D', '')), $j
        'at 0 TRANSFERRING bytes=0/100000000'
        'at 600000 TRANSFERRING bytes=100000000/100000000'
    }
    Set-BwScenario -Text ($lines -join "`n") -Path $m.scenario
}
# Warm: every machine imports the module once (the first call of a session).
$null = Get-BitsJobStatus -Session $web -SampleMs 0

# Interleaved (one of each per round), so that the load of the machine
# (shared) weighs on all of them alike.
$names = 'rt1', 'rt20', 'one0', 'all0', 'hand0', 'one500', 'all500', 'hand500'
$t = @{}
foreach ($n in $names) { $t[$n] = [System.Collections.Generic.List[double]]::new() }
$blocks = [ordered]@{
    rt1     = { Invoke-Command -Session $web[0] { 1 } }
    rt20    = { Invoke-Command -Session $web { 1 } }
    one0    = { Get-BitsJobStatus -Session $web[0] -SampleMs 0 }
    all0    = { Get-BitsJobStatus -Session $web -SampleMs 0 }
    hand0   = { Invoke-Command -Session $web { Get-BitsJobStatus -SampleMs 0 } }
    one500  = { Get-BitsJobStatus -Session $web[0] }
    all500  = { Get-BitsJobStatus -Session $web }
    hand500 = { Invoke-Command -Session $web { Get-BitsJobStatus } }
}
foreach ($i in 1..$Repeat) {
    foreach ($n in $blocks.Keys) {
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $null = & $blocks[$n]
        $t[$n].Add($sw.Elapsed.TotalMilliseconds)
    }
}
$med = @{}
foreach ($n in $names) { $med[$n] = Get-Median $t[$n].ToArray() }
'{0} rounds, medians (ms):' -f $Repeat
'  round trip, Invoke-Command -Session {{ 1 }}:        1 machine {0,6:0}   {2} machines {1,6:0}' -f $med.rt1, $med.rt20, $web.Count
'  Get-BitsJobStatus -Session -SampleMs 0 (10 jobs):   1 machine {0,6:0}   {2} machines {1,6:0}   ratio {3:0.00} (target <= 2)   Invoke-Command by hand {4:0}' -f $med.one0, $med.all0, $web.Count, ($med.all0 / $med.one0), $med.hand0
'  Get-BitsJobStatus -Session (-SampleMs 500):         1 machine {0,6:0}   {2} machines {1,6:0}   ratio {3:0.00} (target <= 2)   Invoke-Command by hand {4:0}' -f $med.one500, $med.all500, $web.Count, ($med.all500 / $med.one500), $med.hand500

# A machine whose session broke (its sshd and processes killed).
$broken = $machines | Where-Object name -eq 'broken'
if ($broken) {
    $null = Get-BitsJobStatus -Session $sessions['broken'] -SampleMs 0 -ErrorAction SilentlyContinue
    & bash (Join-Path $PSScriptRoot '../remoting/machines.sh') kill $dir broken
    $first = [System.Diagnostics.Stopwatch]::StartNew()
    $null = Get-BitsJobStatus -Session (@($web) + $sessions['broken']) -SampleMs 0 -ErrorAction SilentlyContinue -ErrorVariable err
    '{0} machines + 1 whose session broke (first call after the break): {1:0} ms, errors: {2}' -f $web.Count, $first.Elapsed.TotalMilliseconds, (($err | ForEach-Object { $_.FullyQualifiedErrorId + ' @' + $_.TargetObject }) -join '; ')
    $b = Measure-Ms { Get-BitsJobStatus -Session (@($web) + $sessions['broken']) -SampleMs 0 -ErrorAction SilentlyContinue } $Repeat
    '{0} machines + the broken one: median {1:0} ms' -f $web.Count, $b.Median
}

# Watch: 5 machines x 10 jobs; machine m's job j turns Suspended at
# 3000 + (5 * (j - 1) + m - 1) * 200 ms after its scenario was written (50
# changes, 200 ms apart, round-robin over the machines).
$five = @($web[0..4])
$changeAt = @{}
foreach ($mi in 1..5) {
    $lines = foreach ($j in 1..10) {
        $t = 3000 + (5 * ($j - 1) + $mi - 1) * 200
        $changeAt[('web{0}: job {1}' -f $mi, $j)] = $t
        'job {{c0000000-0000-0000-{0:D4}-{1:D12}}} name="job {1}"' -f $mi, $j
        'at 0 QUEUED bytes=0/1000'
        ('at {0} SUSPENDED' -f $t)
    }
    Set-BwScenario -Text '' -Path ($machines | Where-Object name -eq ('web{0}' -f $mi)).scenario
    $changeAt["lines$mi"] = $lines -join "`n"
}
$ps = New-BwPowerShell
$null = $ps.AddCommand('Watch-BitsJob').AddParameter('Session', $five).AddParameter('All').AddParameter('TimeoutSec', 20).AddParameter('WarningAction', 'SilentlyContinue')
# The scenarios are written (their clocks start) once the watch runs on every machine.
foreach ($mi in 1..5) {
    Set-BwScenario -Text $changeAt["lines$mi"] -Path ($machines | Where-Object name -eq ('web{0}' -f $mi)).scenario
}
$zero = [System.Diagnostics.Stopwatch]::StartNew()
$async = $ps.BeginInvoke()
$seen = @{}
$read = 0
while (-not $async.IsCompleted -and $seen.Count -lt 50) {
    $n = $ps.Streams.Progress.Count
    for (; $read -lt $n; $read++) {
        $p = $ps.Streams.Progress[$read]
        if ($p.StatusDescription -like 'Suspended*' -and -not $seen.ContainsKey($p.Activity)) {
            $seen[$p.Activity] = $zero.Elapsed.TotalMilliseconds
        }
    }
    Start-Sleep -Milliseconds 5
}
$ps.Stop()
$ps.Dispose()
$lat = foreach ($k in $seen.Keys) { $seen[$k] - $changeAt[$k] }
$lat = @($lat | Sort-Object)
if ($lat.Count -gt 0) {
    'Watch-BitsJob -Session, 5 machines x 10 jobs: {0} of 50 changes shown; change to display median {1:0} ms, p90 {2:0} ms, min {3:0}, max {4:0} ms (target median <= 500 ms; each includes up to one library read after the scenario write)' -f `
        $lat.Count, (Get-Median $lat), $lat[[int][math]::Floor(0.9 * ($lat.Count - 1))], $lat[0], $lat[-1]
}
else {
    'Watch-BitsJob -Session: no change shown'
}
Get-PSSession | Remove-PSSession
