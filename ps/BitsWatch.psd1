# Module manifest of BitsWatch: watch Windows BITS transfer jobs live.
# ModuleVersion is the project version (project() in the top-level
# CMakeLists.txt); tests/ps checks that they agree.
@{
    RootModule           = 'BitsWatch.psm1'
    ModuleVersion        = '0.3.0'
    GUID                 = '5a0f6a4e-2b7c-4f0e-9d3a-7c1b8e2f4d61'
    Author               = 'BitsWatch contributors'
    CompanyName          = 'BitsWatch'
    Copyright            = '(c) BitsWatch contributors. MIT License (the LICENSE file).'
    Description          = 'Live status of Windows BITS transfer jobs: progress, reply progress, rate, ETA and errors, through bitswatch.dll.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('BitsWatch.format.ps1xml')
    FunctionsToExport    = @('Get-BitsJobStatus', 'Watch-BitsJob', 'Wait-BitsJob', 'Get-BitsJobDiagnosis', 'Measure-BitsJobStatus', 'Install-BitsWatch')
    CmdletsToExport      = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    # Every file of the package (packaging/package.sh): the module's own, its
    # compiled assembly (BitsWatch.Native.dll) and that assembly's source
    # (src\), the DLLs and the console monitor, the C headers and import
    # libraries.
    FileList             = @(
        'BitsWatch.psd1',
        'BitsWatch.psm1',
        'BitsWatch.format.ps1xml',
        'BitsWatch.Native.dll',
        'src\Interop.cs',
        'src\Loader.cs',
        'src\Model.cs',
        'src\Job.cs',
        'src\Queue.cs',
        'src\Attributes.cs',
        'LICENSE',
        'README.md',
        'bin\win-x64\bitswatch.dll',
        'bin\win-x64\bitswatch.exe',
        'bin\win-x86\bitswatch.dll',
        'bin\win-x86\bitswatch.exe',
        'include\bitswatch.h',
        'include\bitswatch_compat.h',
        'include\bitswatch_version.h',
        'lib\win-x64\libbitswatch.dll.a',
        'lib\win-x86\libbitswatch.dll.a'
    )
    PrivateData          = @{
        PSData = @{
            Tags = @('BITS', 'BitsTransfer', 'Download', 'Progress', 'Monitoring', 'Windows', 'PSEdition_Desktop', 'PSEdition_Core')
            # No project or license address: the project has no public one
            # yet (tests/ps/check_module.py checks that none is made up).
            ReleaseNotes = '0.3.0: Get-BitsJobDiagnosis says why a job is stuck (the library''s rule table, as bitswatch why); -Session and -ThrottleLimit on Get-BitsJobStatus, Wait-BitsJob and Watch-BitsJob run them on many machines over PowerShell remoting, with Measure-BitsJobStatus (a row per computer) and Install-BitsWatch (copy and check the module on sessions); the P/Invoke declarations ship as a compiled, signed assembly (BitsWatch.Native.dll: fast import, a clear error in Constrained Language Mode); text from BITS is cleaned by the library (an escape sequence goes whole). 0.2.0: Watch-BitsJob -All follows the queue; -Force for -Complete with -All/-Name (a non-interactive host without it gets BitsWatch.ConfirmationRequired); -IntervalMs is 50..200 (the longest native wait); Get-BitsJobStatus takes -Name as its first positional parameter and binds JobId by that name only (no Id/Guid aliases); a given job that vanishes is a JobNotFound error; errors of failed jobs get the category of their code; the default table fits 80 columns (JobId last); Remove-Module removes the type data.'
        }
    }
}
