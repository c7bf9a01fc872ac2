# Diagnosis.Tests.ps1 - Get-BitsJobDiagnosis against the simulator: one job
# per situation the simulator can script (suspended and never resumed,
# transferred and never completed, a 404, moving, queued behind a transfer),
# the verdicts and texts the library's rule table gives (the same as
# "bitswatch why"), the list view, pipeline input, errors, -NoQueue, and the
# text from BITS cleaned on the way out.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
    Import-Module $script:ModuleDir -Force -ErrorAction Stop

    Set-BwScenario @'
job {d1000000-0000-0000-0000-000000000001} name="Never resumed"
  at 0 SUSPENDED bytes=0/? files=0/1 remote="http://example.test/a.bin" local='C:\a.bin'
job {d1000000-0000-0000-0000-000000000002} name="Never completed"
  at 0 TRANSFERRED bytes=10/10 files=1/1 remote="http://example.test/b.bin" local='C:\b.bin'
job {d1000000-0000-0000-0000-000000000003} name="Gone\u001b[2J file"
  at 0 ERROR error=0x80190194 context=5 remote="http://example.test/gone" local='C:\gone.bin'
job {d1000000-0000-0000-0000-000000000004} name="Busy"
  at 0 TRANSFERRING bytes=5/100000000 files=0/1
  at 600000 TRANSFERRING bytes=100000000/100000000
job {d1000000-0000-0000-0000-000000000005} name="Waiting"
  at 0 QUEUED bytes=0/? files=0/1
'@
    $script:All = @(Get-BitsJobDiagnosis)
    function Get-Verdict([string] $Id) {
        ($script:All | Where-Object { $_.JobId -eq [Guid]$Id }).Verdict
    }
}

Describe 'Get-BitsJobDiagnosis' {
    It 'diagnoses every job of the user, one object each' {
        $script:All.Count | Should -Be 5
        $script:All | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'BitsWatch.JobDiagnosis' }
    }

    It 'names each cause: <Verdict> for <Id>' -ForEach @(
        @{ Id = 'd1000000-0000-0000-0000-000000000001'; Verdict = 'Suspended' }
        @{ Id = 'd1000000-0000-0000-0000-000000000002'; Verdict = 'NotCompleted' }
        @{ Id = 'd1000000-0000-0000-0000-000000000003'; Verdict = 'RemoteError' }
        @{ Id = 'd1000000-0000-0000-0000-000000000004'; Verdict = 'Moving' }
        @{ Id = 'd1000000-0000-0000-0000-000000000005'; Verdict = 'QueuedBehind' }
    ) {
        Get-Verdict $Id | Should -BeExactly $Verdict
    }

    It 'gives an explanation, evidence lines and an action, as the library words them' {
        $d = $script:All | Where-Object { $_.JobId -eq [Guid]'d1000000-0000-0000-0000-000000000003' }
        $d.Explanation | Should -Match 'http://example\.test/gone answered HTTP 404'
        $d.Action | Should -Not -BeNullOrEmpty
        $d.Evidence.Count | Should -BeGreaterThan 2
        $d.Evidence | ForEach-Object { $_ | Should -Match '^[A-Z][^:]*: ' }
        $d.ErrorCode | Should -Be ([int]0x80190194 - 0)
        ($script:All | Where-Object { $_.Verdict -eq 'Suspended' }).Explanation | Should -Match 'has never moved a byte'
        ($script:All | Where-Object { $_.Verdict -eq 'NotCompleted' }).Explanation | Should -Match 'nobody called Complete'
    }

    It 'cleans the text that came from BITS (an escape sequence goes whole)' {
        $d = $script:All | Where-Object { $_.JobId -eq [Guid]'d1000000-0000-0000-0000-000000000003' }
        $d.DisplayName | Should -BeExactly 'Gone file'
        ($d.Evidence -join "`n") | Should -Not -Match "`e"
    }

    It 'takes jobs from the pipeline (status objects, GUID strings) and by -Name' {
        $r = @(Get-BitsJobStatus -JobId d1000000-0000-0000-0000-000000000002 -SampleMs 0 | Get-BitsJobDiagnosis)
        $r.Count | Should -Be 1
        $r[0].Verdict | Should -BeExactly 'NotCompleted'
        @('d1000000-0000-0000-0000-000000000001' | Get-BitsJobDiagnosis).Verdict | Should -BeExactly 'Suspended'
        @(Get-BitsJobDiagnosis 'Never*').Count | Should -Be 2
    }

    It 'with -NoQueue does not look at the queue: a queued job is QueuedIdle at best' {
        (Get-BitsJobDiagnosis -JobId d1000000-0000-0000-0000-000000000005 -NoQueue).Verdict | Should -BeExactly 'QueuedIdle'
    }

    It 'writes a JobNotFound error for a job that is not there, and goes on' {
        $r = @(Get-BitsJobDiagnosis -JobId d1000000-0000-0000-0000-0000000000ff, d1000000-0000-0000-0000-000000000001 -ErrorVariable e -ErrorAction SilentlyContinue)
        $r.Count | Should -Be 1
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Match '^BitsWatch\.JobNotFound'
        $e[0].TargetObject | Should -Be ([Guid]'d1000000-0000-0000-0000-0000000000ff')
    }

    It 'shows a list per job: Job, State, Verdict, Explanation, Evidence (a line each), Action' {
        $text = $script:All | Where-Object Verdict -eq 'RemoteError' | Out-String -Width 100
        $text | Should -Match 'Job\s+: Gone file \{d1000000-0000-0000-0000-000000000003\}'
        $text | Should -Match 'Verdict\s+: RemoteError'
        $text | Should -Match 'Action\s+: '
        $text | Should -Match 'Evidence\s+: .+\r?\n\s+\S'
    }

    It 'survives serialization (as from Invoke-Command) with its view' {
        $path = Join-Path -Path $TestDrive -ChildPath 'd.xml'
        $script:All | Export-Clixml -LiteralPath $path
        $back = @(Import-Clixml -LiteralPath $path)
        $back.Count | Should -Be 5
        ($back | Out-String -Width 100) | Should -Match 'Verdict\s+: NotCompleted'
    }
}
