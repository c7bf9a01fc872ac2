#Requires -Version 5.1
# BitsWatch.psm1 - watch Windows BITS transfer jobs live, through bitswatch.dll.
#
# The functions live one to a file, named after the function: the public
# commands (BitsWatch.psd1's FunctionsToExport) in Public/, the private
# helpers (nouns starting with "Bw", not exported) in Private/; tests/ps
# checks both rules. From the source tree this file dot-sources them; the
# package joins them into this file instead (packaging/module_files.py puts
# them in place of the region below), so a release has one script to sign,
# to verify and to load.
#
# Write-Progress Id scheme (fixed, so other progress bars of the caller are
# left alone): the job at position i (0-based, in the order given) uses
# Id 0x4257 + 2*i for its bar and 0x4257 + 2*i + 1 for its reply child bar.

# Constrained Language Mode (an AppLocker or WDAC policy that does not allow
# this module): its scripts could not load the module's .NET types nor call
# them, and the first statement below would fail with an error about a type
# or method. One clear error instead, before anything runs. A module the
# policy allows (signed by a publisher it trusts) runs in FullLanguage mode
# even in a constrained session (README.md, "Locked-down machines").
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    throw ('BitsWatch cannot be imported in {0} mode: in this mode (what an application control policy such as WDAC or AppLocker gives scripts it does not allow) the module''s scripts may not load or call its .NET types. Ask the administrator to allow the publisher whose signature the module''s files carry (BitsWatch.psd1, .psm1, .ps1xml, BitsWatch.Native.dll and bin\*\bitswatch.dll); the module then runs in FullLanguage mode.' -f $ExecutionContext.SessionState.LanguageMode)
}

Set-StrictMode -Version 3.0

# The module's folder, for the functions: inside a dot-sourced file
# $PSScriptRoot is that file's folder (Public/, Private/), not this one.
$script:ModuleRoot = $PSScriptRoot

$script:ProgressIdBase = 0x4257
$script:DrawIntervalMs = 100    # at most 10 progress updates a second
$script:LeftLingerMs = 1500     # a job that left the queue keeps its bar (last state, why) this long

$script:TypeNames = @('Download', 'Upload', 'UploadReply')
$script:ContextNames = @('None', 'Unknown', 'GeneralQueueManager', 'QueueManagerNotification',
    'LocalFile', 'RemoteFile', 'GeneralTransport', 'RemoteApplication')

$script:PriorityNames = @('Foreground', 'High', 'Normal', 'Low')

$script:SizeUnknown = [UInt64]::MaxValue
$script:MaxWaitMs = 200         # longest native wait: Ctrl+C acts between calls
$script:BG_E_INVALID_STATE = [int]0x8020000E
# RPC_S_SERVER_UNAVAILABLE, RPC_E_DISCONNECTED, RPC_S_CALL_FAILED: the service
# is down or restarting (the library already reconnected once).
$script:ServiceDownCodes = @([int]0x800706BA, [int]0x80010108, [int]0x800706BE)

#region BitsWatch functions
# Private/ then Public/, each in ordinal order of file name: the order the
# package joins them in.
foreach ($folder in 'Private', 'Public') {
    $files = [System.IO.Directory]::GetFiles((Join-Path -Path $PSScriptRoot -ChildPath $folder), '*.ps1')
    [System.Array]::Sort($files, [System.StringComparer]::Ordinal)
    foreach ($file in $files) {
        . $file
    }
}
Remove-Variable -Name 'folder', 'files', 'file'
#endregion BitsWatch functions

# The import succeeds whole or fails with the cause. Without the try/catch a
# failed statement here (the caller's ErrorActionPreference, Continue by
# default, applies to this file) only wrote an error: the functions were
# exported anyway and Import-Module reported success. The throw in the catch
# ends this file, so Import-Module fails and exports nothing.
try {
    Initialize-BwNative -ErrorAction Stop

    # BitsTransfer's BitsJob names for the same data, so scripts written
    # against Get-BitsTransfer objects keep working; the deserialized objects
    # (Invoke-Command, Import-Clixml) get them too. Update-TypeData -Force
    # rather than a types.ps1xml: a types file errors ("member already
    # present") when the module is imported again from another folder in the
    # same session.
    foreach ($typeName in 'BitsWatch.JobStatus', 'Deserialized.BitsWatch.JobStatus') {
        foreach ($alias in @(
                @('JobState', 'State'),
                @('TransferType', 'Type'),
                @('OwnerAccount', 'Owner'),
                @('InternalErrorCode', 'ErrorCode'))) {
            Update-TypeData -TypeName $typeName -MemberType AliasProperty -MemberName $alias[0] -Value $alias[1] -Force -ErrorAction Stop
        }
    }
}
catch {
    throw
}

# Remove-Module undoes what the import did that can be undone: the type data
# above (the format data of FormatsToProcess goes by itself). The compiled
# declarations and the loaded library stay: .NET cannot unload them, and an
# Import-Module later in the session uses them again.
$ExecutionContext.SessionState.Module.OnRemove = {
    foreach ($typeName in 'BitsWatch.JobStatus', 'Deserialized.BitsWatch.JobStatus') {
        if (Get-TypeData -TypeName $typeName) {
            Remove-TypeData -TypeName $typeName -ErrorAction SilentlyContinue
        }
    }
}

Export-ModuleMember -Function @('Get-BitsJobStatus', 'Watch-BitsJob', 'Wait-BitsJob', 'Get-BitsJobDiagnosis', 'Measure-BitsJobStatus', 'Install-BitsWatch')
