# Import.Tests.ps1 - Import-Module as users do it: fresh sessions, twice,
# -Force, StrictMode Latest, ErrorActionPreference Stop, two runspaces at the
# same moment, the library override, upgrades, odd paths.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')

    # Runs $Body in a fresh pwsh after importing the package copy; returns the child's result.
    function Invoke-ImportScript {
        param([string] $Body, [hashtable] $Environment = @{}, [string] $ModuleDir = $script:ModuleDir)
        $script = "`$ErrorActionPreference = 'Continue'`n`$m = '$($ModuleDir -replace "'", "''")'`n" + $Body
        Invoke-BwFreshSession -Script $script -Environment $Environment
    }
}

Describe 'Import-Module BitsWatch' {
    Context 'in a fresh session' {
        It 'imports without any error or warning and exports exactly the three commands' {
            $r = Invoke-ImportScript @'
Import-Module $m -WarningVariable w -ErrorVariable e
'errors=' + $e.Count
'warnings=' + $w.Count
'commands=' + ((Get-Command -Module BitsWatch | Sort-Object Name | ForEach-Object Name) -join ',')
'version=' + (Get-Module BitsWatch).Version
'@
            $r.ErrorText | Should -BeNullOrEmpty
            $r.Output | Should -Contain 'errors=0'
            $r.Output | Should -Contain 'warnings=0'
            $r.Output | Should -Contain 'commands=Get-BitsJobDiagnosis,Get-BitsJobStatus,Install-BitsWatch,Measure-BitsJobStatus,Wait-BitsJob,Watch-BitsJob'
            $r.Output | Should -Contain 'version=0.3.0'
        }

        It 'imports by name from PSModulePath, as an installed module' {
            $parent = Split-Path -Parent $script:ModuleDir
            $r = Invoke-BwFreshSession -Script @'
Import-Module BitsWatch -ErrorAction Stop
(Get-Module BitsWatch).ModuleBase
'@ -Environment @{ PSModulePath = $parent + [IO.Path]::PathSeparator + $env:PSModulePath }
            $r.ErrorText | Should -BeNullOrEmpty
            $r.Output | Should -Contain $script:ModuleDir
        }

        It 'imports twice, the second time with -Force, without errors' {
            $r = Invoke-ImportScript @'
Import-Module $m -ErrorVariable +e
Import-Module $m -ErrorVariable +e
Import-Module $m -Force -ErrorVariable +e
Import-Module $m -Force -ErrorVariable +e
'errors=' + $e.Count
'modules=' + @(Get-Module BitsWatch).Count
(Get-Command Get-BitsJobStatus).Source
'@
            $r.ErrorText | Should -BeNullOrEmpty
            $r.Output | Should -Contain 'errors=0'
            $r.Output | Should -Contain 'modules=1'
            $r.Output | Should -Contain 'BitsWatch'
        }

        It 'imports under Set-StrictMode -Version Latest' {
            $r = Invoke-ImportScript @'
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module $m
Import-Module $m -Force
'ok'
'@
            $r.ErrorText | Should -BeNullOrEmpty
            $r.Output | Should -Contain 'ok'
        }

        It "imports with `$ErrorActionPreference = 'Stop' and runs a command" {
            $r = Invoke-ImportScript @'
$ErrorActionPreference = 'Stop'
Import-Module $m
$null = Get-BitsJobStatus
'ok'
'@
            $r.ErrorText | Should -BeNullOrEmpty
            $r.Output | Should -Contain 'ok'
        }

        It 'imports in two runspaces at the same moment: both work, one Add-Type' {
            $r = Invoke-ImportScript @'
$gate = [System.Threading.ManualResetEvent]::new($false)
$jobs = foreach ($i in 1..2) {
    $ps = [powershell]::Create()
    $null = $ps.AddScript({
        param($m, $gate)
        $null = $gate.WaitOne()
        Import-Module $m -ErrorAction Stop
        (Get-Command Get-BitsJobStatus).Name
    }).AddArgument($m).AddArgument($gate)
    [PSCustomObject]@{ PS = $ps; Handle = $ps.BeginInvoke() }
}
$null = $gate.Set()
foreach ($j in $jobs) {
    try {
        'result=' + ($j.PS.EndInvoke($j.Handle) -join ',')
    }
    catch {
        'failed=' + $_.Exception.InnerException.Message
    }
    'errors=' + $j.PS.Streams.Error.Count
    $j.PS.Streams.Error | ForEach-Object { 'error: ' + $_.ToString() + ' ' + $_.InvocationInfo.PositionMessage }
}
$assemblies = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $null -ne $_.GetType('BitsWatch.Native.Job', $false) })
'assemblies=' + $assemblies.Count
'@
            $r.ErrorText | Should -BeNullOrEmpty
            @($r.Output | Where-Object { $_ -like 'error: *' }) | Should -BeNullOrEmpty
            @($r.Output | Where-Object { $_ -eq 'result=Get-BitsJobStatus' }).Count | Should -Be 2
            @($r.Output | Where-Object { $_ -eq 'errors=0' }).Count | Should -Be 2
            $r.Output | Should -Contain 'assemblies=1'
        }

        It 'imports in 8 runspaces at once, 20 rounds (the first while Add-Type compiles): no error in any, one Add-Type' {
            # What ForEach-Object -Parallel and runspace pools do. Round 1
            # is the once-per-process path: four runspaces start together
            # (three wait on the lock while one compiles), four arrive
            # 0.25-1 s later, during that compile. Later rounds re-import
            # over the loaded types and library. Every error is printed
            # with its position, so a failure names its cause.
            $r = Invoke-ImportScript @'
$rounds = 20
$count = 8
foreach ($round in 1..$rounds) {
    $gate = [System.Threading.ManualResetEvent]::new($false)
    $jobs = foreach ($i in 1..$count) {
        $delayMs = 0
        if ($round -eq 1 -and $i -gt 4) {
            $delayMs = 250 * ($i - 4)
        }
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($m, $gate, $delayMs)
            $null = $gate.WaitOne()
            if ($delayMs) {
                Start-Sleep -Milliseconds $delayMs
            }
            Import-Module $m -ErrorAction Stop
            (Get-Command Get-BitsJobStatus).Name
        }).AddArgument($m).AddArgument($gate).AddArgument($delayMs)
        [PSCustomObject]@{ PS = $ps; Handle = $ps.BeginInvoke(); Index = $i }
    }
    $null = $gate.Set()
    foreach ($j in $jobs) {
        $result = ''
        try {
            $result = $j.PS.EndInvoke($j.Handle) -join ','
        }
        catch {
            $result = 'failed: ' + $_.Exception.InnerException.Message
        }
        if ($result -ne 'Get-BitsJobStatus' -or $j.PS.Streams.Error.Count -ne 0) {
            'round {0} runspace {1}: result={2} errors={3}' -f $round, $j.Index, $result, $j.PS.Streams.Error.Count
            $j.PS.Streams.Error | ForEach-Object { 'error: ' + $_.ToString() + ' | ' + $_.FullyQualifiedErrorId + ' ' + $_.InvocationInfo.PositionMessage }
        }
        $j.PS.Dispose()
    }
    $gate.Dispose()
}
'rounds=' + $rounds
$assemblies = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $null -ne $_.GetType('BitsWatch.Native.Job', $false) })
'assemblies=' + $assemblies.Count
'loaded=' + [BitsWatch.Native.Loader]::LoadedPath
'@
            $r.ErrorText | Should -BeNullOrEmpty
            @($r.Output | Where-Object { $_ -like 'round *' -or $_ -like 'error: *' }) | Should -BeNullOrEmpty
            $r.Output | Should -Contain 'rounds=20'
            $r.Output | Should -Contain 'assemblies=1'
            $r.Output | Should -Contain ('loaded=' + $script:SimLibrary)
        }
    }

    Context 'an initialisation that fails imports nothing' {
        # Import-Module must either give working commands or fail with the
        # cause: a module half initialised (commands exported, native types
        # missing) reports success and then fails in every command. A copy
        # whose BitsWatch.Native.dll is damaged (a partial install, a copy
        # still being written) makes Add-Type -Path fail for certain; without
        # the DLL and without src/Attributes.cs the source path fails too. A step failing in
        # one of several runspaces importing at once would end the same way:
        # that import reports success with an error in its stream, the
        # shape of a failure the two-runspace test showed once.
        BeforeAll {
            $script:Broken = Copy-BwModule -Destination (Join-Path $TestDrive 'broken')
            $dll = Join-Path $script:Broken 'BitsWatch.Native.dll'
            [System.IO.File]::WriteAllBytes($dll, [System.IO.File]::ReadAllBytes($dll)[0..999])
            $script:BrokenSource = Copy-BwModule -Destination (Join-Path $TestDrive 'broken-source') -NoAssembly
            Remove-Item -LiteralPath (Join-Path $script:BrokenSource 'src/Attributes.cs')
        }

        It 'from source, without the DLL and with a source file missing: fails, names the file, exports no command' {
            $r = Invoke-ImportScript -ModuleDir $script:BrokenSource @'
Import-Module $m
'imported=' + [bool](Get-Module BitsWatch)
'commands=' + ((Get-Command -Module BitsWatch | Sort-Object Name | ForEach-Object Name) -join ',')
'@
            $r.Output | Should -Contain 'imported=False'
            $r.Output | Should -Contain 'commands='
            $r.ErrorText | Should -Match 'Attributes\.cs'
        }

        It 'Import-Module as typed (no -ErrorAction, no try): fails, names the file, exports no command' {
            $r = Invoke-ImportScript -ModuleDir $script:Broken @'
Import-Module $m
'imported=' + [bool](Get-Module BitsWatch)
'commands=' + ((Get-Command -Module BitsWatch | Sort-Object Name | ForEach-Object Name) -join ',')
'@
            $r.Output | Should -Contain 'imported=False'
            $r.Output | Should -Contain 'commands='
            $r.ErrorText | Should -Match 'BitsWatch\.Native\.dll'
        }

        It 'Import-Module -ErrorAction Stop in a runspace (no try): fails with the cause, exports no command' {
            $r = Invoke-ImportScript -ModuleDir $script:Broken @'
$ps = [powershell]::Create()
$null = $ps.AddScript({
    param($m)
    Import-Module $m -ErrorAction Stop
    'imported=' + [bool](Get-Module BitsWatch)
    'commands=' + ((Get-Command -Module BitsWatch | Sort-Object Name | ForEach-Object Name) -join ',')
}).AddArgument($m)
try {
    $ps.Invoke()
}
catch {
    'failed=' + $_.Exception.InnerException.Message
}
$ps.Streams.Error | ForEach-Object { 'error: ' + $_.ToString() }
'@
            $r.ErrorText | Should -BeNullOrEmpty
            $r.Output | Should -Not -Contain 'imported=True'
            $r.Output | Should -Not -Contain 'commands=Get-BitsJobDiagnosis,Get-BitsJobStatus,Install-BitsWatch,Measure-BitsJobStatus,Wait-BitsJob,Watch-BitsJob'
            ($r.Output -join "`n") | Should -Match 'BitsWatch\.Native\.dll'
        }
    }

    Context 'the native library override (BITSWATCH_NATIVE_LIBRARY)' {
        It 'loads the library the variable names' {
            $r = Invoke-ImportScript @'
Import-Module $m -ErrorAction Stop
[BitsWatch.Native.Loader]::LoadedPath
'@
            $r.ErrorText | Should -BeNullOrEmpty
            $r.Output | Should -Contain $script:SimLibrary
        }

        It 'fails with a clear message when the variable names no file' {
            $r = Invoke-ImportScript @'
try { Import-Module $m -ErrorAction Stop; 'imported' } catch { 'error=' + $_.Exception.Message }
'@ -Environment @{ BITSWATCH_NATIVE_LIBRARY = '/nonexistent/libbitswatch.so' }
            $r.Output | Should -Not -Contain 'imported'
            ($r.Output -join "`n") | Should -Match "BITSWATCH_NATIVE_LIBRARY is '/nonexistent/libbitswatch.so', which is not the full path of an existing file"
        }

        It 'fails with a clear message when the variable is a relative path' {
            $r = Invoke-ImportScript @'
try { Import-Module $m -ErrorAction Stop; 'imported' } catch { 'error=' + $_.Exception.Message }
'@ -Environment @{ BITSWATCH_NATIVE_LIBRARY = 'libbitswatch_sim.so' }
            $r.Output | Should -Not -Contain 'imported'
            ($r.Output -join "`n") | Should -Match 'not the full path'
        }

        It 'without the variable, says that BITS needs Windows (this is Linux)' {
            $r = Invoke-ImportScript @'
try { Import-Module $m -ErrorAction Stop; 'imported' } catch { 'error=' + $_.Exception.Message }
'@ -Environment @{ BITSWATCH_NATIVE_LIBRARY = $null }
            $r.Output | Should -Not -Contain 'imported'
            ($r.Output -join "`n") | Should -Match 'BitsWatch needs Windows'
        }
    }

    Context 'versions and upgrades' {
        It 'refuses a library of another version and names both versions' {
            $copy = Copy-BwModule -Destination (Join-Path $TestDrive 'v2')
            $psd1 = Join-Path $copy 'BitsWatch.psd1'
            # The copy claims the next minor version; the library is this one.
            $current = [version](Import-PowerShellDataFile -LiteralPath $psd1).ModuleVersion
            $other = [version]::new($current.Major, $current.Minor + 1, 0)
            (Get-Content -LiteralPath $psd1 -Raw) -replace ("ModuleVersion\s*=\s*'{0}'" -f [regex]::Escape("$current")), "ModuleVersion = '$other'" |
                Set-Content -LiteralPath $psd1
            $r = Invoke-ImportScript -ModuleDir $copy @'
try { Import-Module $m -ErrorAction Stop; 'imported' } catch { 'error=' + $_.Exception.Message }
'@
            $r.Output | Should -Not -Contain 'imported'
            ($r.Output -join "`n") | Should -Match ('is version {0}, the module is {1}' -f [regex]::Escape("$current"), [regex]::Escape("$other"))
        }

        It 'Import-Module -Force of another release in the same session says to start a new session' {
            $copy = Copy-BwModule -Destination (Join-Path $TestDrive 'changed')
            # Another release's assembly: other bytes (never loaded: the hash differs).
            [System.IO.File]::AppendAllText((Join-Path $copy 'BitsWatch.Native.dll'), 'another release')
            $r = Invoke-ImportScript @"
Import-Module `$m -ErrorAction Stop
try { Import-Module '$copy' -Force -ErrorAction Stop; 'imported' } catch { 'error=' + `$_.Exception.Message }
"@
            $r.Output | Should -Not -Contain 'imported'
            ($r.Output -join "`n") | Should -Match 'Start a new session'
        }

        It 'the same release from another folder in the same session imports and works' {
            $copy = Copy-BwModule -Destination (Join-Path $TestDrive 'same')
            $r = Invoke-ImportScript @"
Import-Module `$m -ErrorAction Stop
Import-Module '$copy' -Force -ErrorAction Stop
(Get-Module BitsWatch).ModuleBase
`$null = Get-BitsJobStatus
'ok'
"@
            $r.ErrorText | Should -BeNullOrEmpty
            $r.Output | Should -Contain $copy
            $r.Output | Should -Contain 'ok'
        }
    }

    Context 'module paths' {
        It 'imports from a folder whose path has [ ] and spaces (Add-Type -LiteralPath)' {
            # PowerShell finds such a module by its manifest's path, escaped
            # (not by folder name, nor through PSModulePath).
            $copy = Copy-BwModule -Destination (Join-Path $TestDrive 'Modules [x64] here')
            # (PowerShell 7's Add-Type -Path falls back to the literal path;
            # 5.1's does not. A sibling folder the brackets match as a
            # wildcard would mislead Import-Module itself: its RootModule
            # lookup globs.)
            $r = Invoke-ImportScript -ModuleDir (Join-Path $copy 'BitsWatch.psd1') @'
try { Import-Module ([WildcardPattern]::Escape($m)) -ErrorAction Stop; $null = Get-BitsJobStatus; 'imported' } catch { 'error=' + $_.Exception.Message }
'@
            $r.Output | Should -Be 'imported'
        }
    }
}

Describe 'the compiled assembly (BitsWatch.Native.dll) and the source path' {
    It 'the package loads its BitsWatch.Native.dll by full path and compiles nothing' {
        $r = Invoke-ImportScript @'
Import-Module $m -ErrorAction Stop
'location=' + [BitsWatch.Native.Job].Assembly.Location
'dynamic=' + [BitsWatch.Native.Job].Assembly.IsDynamic
$null = Get-BitsJobStatus
'ok'
'@
        $r.ErrorText | Should -BeNullOrEmpty
        $r.Output | Should -Contain ('location=' + (Join-Path $script:ModuleDir 'BitsWatch.Native.dll'))
        $r.Output | Should -Contain 'ok'
    }

    It 'without the DLL (as in the source tree) compiles src/*.cs with Add-Type into an in-memory assembly that works the same' {
        $copy = Copy-BwModule -Destination (Join-Path $TestDrive 'no-dll') -NoAssembly
        Test-Path -LiteralPath (Join-Path $copy 'BitsWatch.Native.dll') | Should -BeFalse
        $r = Invoke-ImportScript -ModuleDir $copy @'
Import-Module $m -ErrorAction Stop
'location=' + [BitsWatch.Native.Job].Assembly.Location
$null = Get-BitsJobStatus
'ok'
'@
        $r.ErrorText | Should -BeNullOrEmpty
        $r.Output | Should -Contain 'location='
        $r.Output | Should -Contain 'ok'
    }

    It 'what users load has no test surface: no public NativeMethods, Job.OpenCount, Queue.OpenCount or Job.NativePollCount' {
        # In this process: the types stay loaded for the other test files.
        Import-Module $script:ModuleDir -ErrorAction Stop
        $exported = [BitsWatch.Native.Job].Assembly.GetExportedTypes() | ForEach-Object FullName
        $exported | Should -Contain 'BitsWatch.Native.Job'
        $exported | Should -Contain 'BitsWatch.Native.JobState'
        $exported | Should -Not -Contain 'BitsWatch.Native.NativeMethods'
        [BitsWatch.Native.Job].GetProperty('OpenCount') | Should -BeNullOrEmpty
        [BitsWatch.Native.Job].GetProperty('NativePollCount') | Should -BeNullOrEmpty
        [BitsWatch.Native.Queue].GetProperty('OpenCount') | Should -BeNullOrEmpty
        # The tests read them by reflection (Get-BwTestCounter): still there, internal.
        Get-BwTestCounter JobOpen | Should -BeOfType ([int])
    }

    It 'in Constrained Language Mode: one clear error naming the mode and what a policy must allow, nothing imported' {
        # What a WDAC or AppLocker policy gives a module it does not allow;
        # here the session is put in that mode by hand (no policy on Linux).
        $r = Invoke-ImportScript @'
$ExecutionContext.SessionState.LanguageMode = 'ConstrainedLanguage'
try { Import-Module $m -ErrorAction Stop; 'imported' } catch { 'error=' + $_.Exception.Message }
'module=' + [bool](Get-Module BitsWatch)
'@
        $r.Output | Should -Not -Contain 'imported'
        $r.Output | Should -Contain 'module=False'
        $errors = @($r.Output | Where-Object { $_ -like 'error=*' })
        $errors.Count | Should -Be 1
        $errors[0] | Should -Match 'BitsWatch cannot be imported in ConstrainedLanguage mode'
        $errors[0] | Should -Match 'allow the publisher'
        $r.ErrorText | Should -BeNullOrEmpty
    }
}

Describe 'the module''s files: one per function in the source tree, joined in the package' {
    BeforeAll {
        # The module's functions (exported and private) as a fresh session sees them.
        $script:ListFunctions = @'
Import-Module $m -ErrorAction Stop
'functions=' + ((& (Get-Module BitsWatch) { Get-ChildItem -Path function: | Where-Object { $_.ModuleName -eq 'BitsWatch' } | ForEach-Object Name } | Sort-Object) -join ',')
'commands=' + ((Get-Command -Module BitsWatch | Sort-Object Name | ForEach-Object Name) -join ',')
$null = Get-BitsJobStatus
'ok'
'@
    }

    It 'the package holds one BitsWatch.psm1 with every function joined in, no Public/ or Private/ folder' {
        Test-Path -LiteralPath (Join-Path $script:ModuleDir 'Public') | Should -BeFalse
        Test-Path -LiteralPath (Join-Path $script:ModuleDir 'Private') | Should -BeFalse
        $psm1 = Get-Content -LiteralPath (Join-Path $script:ModuleDir 'BitsWatch.psm1') -Raw
        foreach ($f in Get-ChildItem -LiteralPath (Join-Path $script:SourceDir 'Public'), (Join-Path $script:SourceDir 'Private') -Filter '*.ps1') {
            $psm1 | Should -Match ('(?m)^# ---- {0}/{1}$' -f $f.Directory.Name, [regex]::Escape($f.Name))
            $psm1 | Should -Match ('(?m)^function {0} \{{' -f [regex]::Escape($f.BaseName))
        }
    }

    It 'the source tree (ps/, its files dot-sourced) imports from a path with [ ] and spaces and has the same functions as the package' {
        $copy = Join-Path $TestDrive 'src [x] here/BitsWatch'
        Copy-Item -LiteralPath $script:SourceDir -Destination $copy -Recurse
        Test-Path -LiteralPath (Join-Path $copy 'Private') | Should -BeTrue
        $fromSource = Invoke-ImportScript -ModuleDir (Join-Path $copy 'BitsWatch.psd1') $script:ListFunctions
        $fromPackage = Invoke-ImportScript $script:ListFunctions
        $fromSource.ErrorText | Should -BeNullOrEmpty
        $fromSource.Output | Should -Contain 'ok'
        $fromPackage.Output | Should -Contain 'ok'
        $functions = @($fromSource.Output | Where-Object { $_ -like 'functions=*' })
        $functions.Count | Should -Be 1
        ($functions[0] -split ',').Count | Should -BeGreaterThan 25
        $functions[0] | Should -BeExactly @($fromPackage.Output | Where-Object { $_ -like 'functions=*' })[0]
        $fromSource.Output | Should -Contain 'commands=Get-BitsJobDiagnosis,Get-BitsJobStatus,Install-BitsWatch,Measure-BitsJobStatus,Wait-BitsJob,Watch-BitsJob'
    }
}

Describe 'the module manifest' {
    BeforeAll {
        $script:Data = Import-PowerShellDataFile -LiteralPath (Join-Path $script:ModuleDir 'BitsWatch.psd1')
    }

    It 'lists every file the package ships in FileList' {
        $files = $script:Data.FileList
        foreach ($f in 'BitsWatch.psd1', 'BitsWatch.psm1', 'BitsWatch.format.ps1xml',
            'BitsWatch.Native.dll', 'src\Interop.cs', 'src\Model.cs', 'LICENSE', 'README.md', 'bin\win-x64\bitswatch.dll', 'bin\win-x86\bitswatch.dll',
            'bin\win-x64\bitswatch.exe', 'bin\win-x86\bitswatch.exe') {
            $files | Should -Contain $f
        }
    }

    It 'says MIT, not "All rights reserved", and the repository has the MIT LICENSE' {
        $script:Data.Copyright | Should -Not -Match 'All rights reserved'
        $script:Data.Copyright | Should -Match 'MIT'
        $license = Join-Path $script:RepoRoot 'LICENSE'
        Test-Path -LiteralPath $license | Should -BeTrue
        Get-Content -LiteralPath $license -Raw | Should -Match 'Permission is hereby granted, free of charge'
    }

    It 'names the format file, and no types file (Update-TypeData -Force in the .psm1 instead)' {
        # A types file errors ("member already present") when the same release
        # is imported from a second folder in one session.
        $script:Data.FormatsToProcess | Should -Be @('BitsWatch.format.ps1xml')
        $script:Data.ContainsKey('TypesToProcess') | Should -BeFalse
    }
}
