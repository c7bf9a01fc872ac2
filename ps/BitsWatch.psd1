# Module manifest of BitsWatch: watch Windows BITS transfer jobs live.
# ModuleVersion is the project version (project() in the top-level
# CMakeLists.txt); tests/ps checks that they agree.
@{
    RootModule           = 'BitsWatch.psm1'
    ModuleVersion        = '0.2.0'
    GUID                 = '5a0f6a4e-2b7c-4f0e-9d3a-7c1b8e2f4d61'
    Author               = 'BitsWatch contributors'
    CompanyName          = 'BitsWatch'
    Copyright            = '(c) BitsWatch contributors. MIT License (the LICENSE file).'
    Description          = 'Live status of Windows BITS transfer jobs: progress, reply progress, rate, ETA and errors, through bitswatch.dll.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('BitsWatch.format.ps1xml')
    FunctionsToExport    = @('Get-BitsJobStatus', 'Watch-BitsJob', 'Wait-BitsJob')
    CmdletsToExport      = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    # Every file of the package (packaging/package.sh): the module's own, the
    # DLLs and the console monitor, the C headers and import libraries.
    FileList             = @(
        'BitsWatch.psd1',
        'BitsWatch.psm1',
        'BitsWatch.format.ps1xml',
        'BitsWatch.Native.cs',
        'BitsWatch.Attributes.cs',
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
            ReleaseNotes = 'First release: Get-BitsJobStatus, Watch-BitsJob, Wait-BitsJob.'
        }
    }
}
