# invoke-pester.ps1 - the Invoke-Pester call of run-pester.sh.
#
#   pwsh -NoProfile -NonInteractive -File invoke-pester.ps1 -ResultPath FILE PATH...
#
# Runs the given test files (or folders) with detailed output, writes a JUnit
# result file and exits 1 unless at least one test ran, none failed, no
# container (file, BeforeAll) failed and none was skipped or left unrun.
param(
    [Parameter(Mandatory = $true)]
    [string] $ResultPath,

    [Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)]
    [string[]] $Path
)

$ErrorActionPreference = 'Stop'
Import-Module Pester -MinimumVersion 5.7.1 -MaximumVersion 5.99.99

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'JUnitXml'
$config.TestResult.OutputPath = $ResultPath
$config.Should.ErrorAction = 'Stop'
# BW_PESTER_FILTER: only the tests whose full names match these wildcards
# (';'-separated), to see one test fail against a broken module.
if ($env:BW_PESTER_FILTER) {
    $config.Filter.FullName = @($env:BW_PESTER_FILTER -split ';')
}

$result = Invoke-Pester -Configuration $config

'pester: {0} passed, {1} failed, {2} skipped, {3} not run, {4} failed containers ({5:0.0} s)' -f `
    $result.PassedCount, $result.FailedCount, $result.SkippedCount, $result.NotRunCount,
    $result.FailedContainersCount, $result.Duration.TotalSeconds
foreach ($c in $result.Containers | Where-Object { $_.ErrorRecord.Count -gt 0 }) {
    'FAILED CONTAINER {0}: {1}' -f $c.Item, (($c.ErrorRecord | ForEach-Object { $_.ToString() }) -join '; ')
}
if ($result.TotalCount -eq 0 -or $result.FailedCount -gt 0 -or $result.FailedContainersCount -gt 0 -or
    $result.SkippedCount -gt 0 -or $result.NotRunCount -gt 0) {
    exit 1
}
exit 0
