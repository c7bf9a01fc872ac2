# Readme.Tests.ps1 - README.md's sample of Get-BitsJobStatus (the block
# marked "<!-- sample: Get-BitsJobStatus -->") against what the module prints
# for the same jobs at 80 columns: the header and its rule line word for
# word, and every sample row under the header's columns as the real rows are.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
    Import-Module $script:ModuleDir -Force -ErrorAction Stop

    $readme = Get-Content -LiteralPath (Join-Path -Path $script:RepoRoot -ChildPath 'README.md') -Raw
    $m = [regex]::Match($readme, '<!-- sample: Get-BitsJobStatus -->\r?\n```text\r?\n(?s)(.*?)```')
    $script:Sample = if ($m.Success) { @($m.Groups[1].Value.TrimEnd() -split '\r?\n') } else { @() }

    # The README's jobs: a download moving, a 404, a finished one.
    Set-BwScenario @'
job {4991d34b-80a1-4291-83b6-3328366b9097} name="Nightly build"
at 0 TRANSFERRING bytes=826265/41943040 files=0/1
at 60000 TRANSFERRING bytes=41943040/41943040
job {0f6c2a10-2b7e-4c55-9b1c-6d0a8e3f7a21} name="Driver package"
at 0 ERROR bytes=0/? files=0/1 error=0x80190194 context=5 text="HTTP 404 Not Found"
job {7b1e9d44-5c3a-4f0b-8e2d-1a9c6b5e3f80} name="Setup files"
at 0 TRANSFERRED bytes=1048576/1048576 files=3/3
'@
    $script:Real = @((Get-BitsJobStatus | Out-String -Width 80) -split '\r?\n' |
        Where-Object { $_.Trim() })
}

Describe 'the README sample of Get-BitsJobStatus' {
    It 'is in the README' {
        $script:Sample.Count | Should -BeGreaterThan 2
    }

    It 'has the header and rule line the module prints at 80 columns' {
        $script:Sample[0].TrimEnd() | Should -BeExactly $script:Real[0].TrimEnd()
        $script:Sample[1].TrimEnd() | Should -BeExactly $script:Real[1].TrimEnd()
    }

    It 'has a row per job, each value where the module puts it' {
        # Right-aligned columns (Progress, Rate, ETA) end where their rule ends.
        $rule = $script:Real[1]
        $ends = [regex]::Matches($rule, '-+') | ForEach-Object { $_.Index + $_.Length }
        foreach ($row in $script:Sample[2..($script:Sample.Count - 1)]) {
            $name = $row.Substring(0, 15).Trim()
            $real = $script:Real | Where-Object { $_.StartsWith($name) } | Select-Object -First 1
            $real | Should -Not -BeNullOrEmpty -Because "the module shows a row for '$name'"
            $row.Substring(15, 12).Trim() | Should -BeExactly $real.Substring(15, 12).Trim()
            # The progress text ends at the Progress column's end in both.
            $row.Length | Should -BeLessOrEqual 80
            ($row.Substring(0, [Math]::Min($row.Length, $ends[2])) -replace '^.{27}', '').Trim() |
                Should -Match '^\d+(\.\d)? (B|KB|MB|GB) / (\?|\d+(\.\d)? (B|KB|MB|GB)( \(\d+%\))?)$'
            $row.Length | Should -BeGreaterOrEqual $ends[2] -Because "Progress ends at column $($ends[2]) ('$row')"
            $row[$ends[2] - 1] | Should -Not -Be ' ' -Because "the module right-aligns Progress ('$row')"
            $real[$ends[2] - 1] | Should -Not -Be ' ' -Because "the module right-aligns Progress ('$real')"
        }
    }
}
