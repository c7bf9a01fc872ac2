function Get-BwNativeFolder {
    # The bin\ folder for the process' real architecture. Not from
    # $env:PROCESSOR_ARCHITECTURE: any parent process can set that variable.
    [CmdletBinding()]
    [OutputType([string])]
    param()

    $arch = $null
    $runtimeInformation = 'System.Runtime.InteropServices.RuntimeInformation' -as [type]
    if ($null -ne $runtimeInformation) {
        $arch = [string]$runtimeInformation::ProcessArchitecture
    }
    elseif ([IntPtr]::Size -eq 8) {
        # .NET Framework before 4.7.1 has no RuntimeInformation; Windows
        # PowerShell 5.1 is x64 or x86 there.
        $arch = 'X64'
    }
    else {
        $arch = 'X86'
    }
    switch ($arch) {
        'X64' {
            return 'win-x64'
        }
        'X86' {
            return 'win-x86'
        }
    }
    throw ("BitsWatch has no bitswatch.dll for the process architecture '{0}' (it ships win-x64 and win-x86; on ARM64 Windows start an x64 PowerShell)." -f $arch)
}
