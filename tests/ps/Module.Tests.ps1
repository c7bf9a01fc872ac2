# Module.Tests.ps1 - the module's inner rules, checked from inside it: the
# native folder by real architecture, pointer fields in 32-bit processes, text
# cleaning, helper names, handles.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
    $script:Module = Import-Module $script:ModuleDir -Force -PassThru -ErrorAction Stop
}

Describe 'the native library' {
    It 'is chosen by the process'' real architecture, not by $env:PROCESSOR_ARCHITECTURE' {
        $saved = $env:PROCESSOR_ARCHITECTURE
        try {
            $env:PROCESSOR_ARCHITECTURE = 'x86'
            $folder = & $script:Module { Get-BwNativeFolder }
        }
        finally {
            $env:PROCESSOR_ARCHITECTURE = $saved
        }
        $expected = @{ X64 = 'win-x64'; X86 = 'win-x86' }[[string][System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture]
        $folder | Should -Be $expected
    }

    It 'reads pointer fields of a 32-bit process above 2 GB (large-address-aware hosts)' {
        $p = [BitsWatch.Native.Job]::ToIntPtr([uint64]0x80001000L, 4)
        ($p.ToInt64() -band 0xFFFFFFFFL) | Should -Be 0x80001000L
        [BitsWatch.Native.Job]::ToIntPtr([uint64]0x7FF612345678, 8).ToInt64() | Should -Be 0x7FF612345678
    }

    It 'BwGetVersion of the loaded library is the module''s version' {
        [BitsWatch.Native.Loader]::VersionText([BitsWatch.Native.Job]::Version) | Should -Be $script:Module.Version.ToString(3)
    }

    It 'JobState names each BG_JOB_STATE value as the library''s BwStateName does (0..8)' {
        foreach ($value in 0..8) {
            ([BitsWatch.Native.JobState]$value).ToString() | Should -BeExactly ([BitsWatch.Native.Job]::StateName($value))
        }
        [System.Enum]::GetValues([BitsWatch.Native.JobState]).Count | Should -Be 9
        [BitsWatch.Native.Job]::StateName(9) | Should -Be 'Unknown'
    }
}

Describe 'the test hook (BwSimOpenHandles, the simulator library''s count of open handles)' {
    It 'counts every BW_JOB handle of the process: a Job opened adds one, Dispose closes it' {
        Set-BwScenario @'
job {e5000000-0000-0000-0000-000000000001}
at 0 QUEUED
'@
        Get-BwOpenHandleCount | Should -Be 0
        $job = [BitsWatch.Native.Job]::Open([Guid]'e5000000-0000-0000-0000-000000000001')
        try {
            Get-BwOpenHandleCount | Should -Be 1
            Assert-BwHandlesClosed -Held 1
            # A raw handle, without a Job: only the library's count sees it.
            $raw = [IntPtr]::Zero
            [BitsWatch.Tests.SimHooks]::BwJobOpen('e5000000-0000-0000-0000-000000000001', [ref]$raw) | Should -Be 0
            Get-BwOpenHandleCount | Should -Be 2
            (Get-BwTestCounter JobOpen) | Should -Be 1
            [BitsWatch.Tests.SimHooks]::BwJobClose($raw) | Should -Be 0
        }
        finally {
            $job.Dispose()
        }
        Assert-BwHandlesClosed
    }
}

Describe 'the commands' {
    It 'Watch-BitsJob and Wait-BitsJob declare the same parameters (Watch-BitsJob adds -PassThru)' {
        # Two param() blocks, one meaning: a script function cannot take its
        # parameters from a helper (DynamicParam would hide them from Get-Help
        # and tab completion), so this keeps the two copies the same.
        function Get-Shape {
            param($Command)
            foreach ($p in (Get-Command $Command).Parameters.Values | Where-Object { $_.Name -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_.Name -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters } | Sort-Object Name) {
                $sets = foreach ($k in $p.ParameterSets.Keys | Sort-Object) {
                    $a = $p.ParameterSets[$k]
                    '{0}:{1}:{2}:{3}:{4}' -f $k, $a.IsMandatory, $a.Position, $a.ValueFromPipeline, $a.ValueFromPipelineByPropertyName
                }
                $checks = foreach ($x in $p.Attributes | Where-Object { $_ -isnot [System.Management.Automation.ParameterAttribute] }) {
                    $x.GetType().Name + $(if ($x -is [System.Management.Automation.ValidateRangeAttribute]) { '({0},{1})' -f $x.MinRange, $x.MaxRange })
                }
                '{0} [{1}] aliases={2} sets={3} attributes={4}' -f $p.Name, $p.ParameterType, ($p.Aliases -join '|'), ($sets -join ';'), (($checks | Sort-Object) -join '|')
            }
        }
        $watch = @(Get-Shape 'Watch-BitsJob' | Where-Object { $_ -notlike 'PassThru *' })
        $wait = @(Get-Shape 'Wait-BitsJob')
        $watch.Count | Should -Be 11    # with -Session and -ThrottleLimit (the fleet)
        $wait | Should -Be $watch
    }
}

Describe 'Remove-Module' {
    It 'undoes the type data the import added (OnRemove); Import-Module again brings it back and the module works' {
        Get-TypeData -TypeName 'BitsWatch.JobStatus' | Should -Not -BeNullOrEmpty
        try {
            Remove-Module BitsWatch -ErrorAction Stop
            Get-Module BitsWatch | Should -BeNullOrEmpty
            Get-TypeData -TypeName 'BitsWatch.JobStatus' | Should -BeNullOrEmpty
            Get-TypeData -TypeName 'Deserialized.BitsWatch.JobStatus' | Should -BeNullOrEmpty
        }
        finally {
            $script:Module = Import-Module $script:ModuleDir -Force -PassThru -ErrorAction Stop
        }
        Get-TypeData -TypeName 'BitsWatch.JobStatus' | Should -Not -BeNullOrEmpty
        Set-BwScenario @'
job {e5000000-0000-0000-0000-000000000002} name="again"
at 0 QUEUED bytes=0/100
'@
        $s = Get-BitsJobStatus -SampleMs 0
        $s.DisplayName | Should -Be 'again'
        $s.JobState | Should -Be 'Queued'
        ($s | Out-String -Width 120) | Should -Match 'again\s+Queued\s+0 B / 100 B \(0%\)'
        Assert-BwHandlesClosed
    }
}

Describe 'private helpers' {
    It 'no helper has a verb PSScriptAnalyzer takes as state-changing without ShouldProcess' {
        # The rule, as a function: tried on two functions of its own first, so
        # the check cannot pass by never looking.
        function Test-BwStateChangingVerbRule {
            param([System.Management.Automation.FunctionInfo] $Function)
            if ($Function.Verb -notin 'New', 'Set', 'Remove', 'Start', 'Stop', 'Restart', 'Reset', 'Update', 'Clear', 'Disable', 'Enable') {
                return 'not state-changing'
            }
            $binding = $Function.ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] })
            if ($binding.Count -eq 1 -and $binding[0].SupportsShouldProcess) {
                return 'ok'
            }
            return 'missing ShouldProcess'
        }
        function Set-BwRuleProbeBad { [CmdletBinding()] param() }
        function Set-BwRuleProbeGood { [CmdletBinding(SupportsShouldProcess = $true)] param() }
        Test-BwStateChangingVerbRule (Get-Command Set-BwRuleProbeBad) | Should -Be 'missing ShouldProcess'
        Test-BwStateChangingVerbRule (Get-Command Set-BwRuleProbeGood) | Should -Be 'ok'

        $functions = @(& $script:Module { Get-ChildItem -Path function: | Where-Object { $_.ModuleName -eq 'BitsWatch' } })
        $functions.Count | Should -BeGreaterThan 10
        $checked = 0
        foreach ($f in $functions) {
            $verdict = Test-BwStateChangingVerbRule $f
            $verdict | Should -Not -Be 'missing ShouldProcess' -Because "$($f.Name) changes state"
            $checked++
        }
        $checked | Should -Be $functions.Count
    }

    It 'Open-BwJobEntry: a listed job that is gone when opened is left out without an error; a given one is JobNotFound' {
        # The gap between listing a job and opening it is too short to hit
        # from a command, so the helper is called as the commands call it.
        Set-BwScenario @'
job {e5000000-0000-0000-0000-000000000003}
at 0 QUEUED
'@
        $gone = [Guid]'e5000000-0000-0000-0000-0000000000ff'
        $r = & $script:Module {
            param($Id)
            function Invoke-BwProbe {
                [CmdletBinding()]
                param([Guid[]] $Id, [switch] $Listing)
                $into = [System.Collections.Generic.List[object]]::new()
                Open-BwJobEntry -Cmdlet $PSCmdlet -JobId $Id -Into $into -Listing:$Listing
                Close-BwJobEntry -Entry $into
                $into
            }
            $listed = @(Invoke-BwProbe -Id $Id -Listing -ErrorVariable listedErrors -ErrorAction SilentlyContinue)
            $given = @(Invoke-BwProbe -Id $Id -ErrorVariable givenErrors -ErrorAction SilentlyContinue)
            [PSCustomObject]@{ Listed = $listed; ListedErrors = @($listedErrors); Given = $given; GivenErrors = @($givenErrors) }
        } @([Guid]'e5000000-0000-0000-0000-000000000003', $gone)
        $r.Listed.Count | Should -Be 2
        $r.Listed[1].Done | Should -BeTrue
        $r.ListedErrors.Count | Should -Be 0
        $r.GivenErrors.Count | Should -Be 1
        $r.GivenErrors[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.JobNotFound,Invoke-BwProbe'
        $r.GivenErrors[0].TargetObject | Should -Be $gone
        Assert-BwHandlesClosed
    }

    It 'text cleaning keeps $null as $null and strips control characters' {
        & $script:Module { ConvertTo-BwDisplayText $null } | Should -BeExactly $null
        & $script:Module { ConvertTo-BwDisplayText '' } | Should -BeExactly ''
        & $script:Module { ConvertTo-BwDisplayText "a`tb`r`nc`e[2Jd`u{202E}e" } | Should -BeExactly 'a b cde'
        & $script:Module { ConvertTo-BwDisplayText "x`e]0;title`ay  z`u{9B}31mw" } | Should -BeExactly 'xy zw'
    }

    It 'every exported command writes its errors and warnings through its own $PSCmdlet (no Write-Error in helpers)' {
        $text = Get-Content -LiteralPath (Join-Path $script:ModuleDir 'BitsWatch.psm1') -Raw
        $tokens = $null
        $parseErrors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($text, [ref]$tokens, [ref]$parseErrors)
        $parseErrors.Count | Should -Be 0
        $calls = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -in 'Write-Error', 'Write-Warning' }, $true)
        @($calls).Count | Should -Be 0
    }
}
