function Write-BwWatchFailure {
    # A read of a watched job failed. The service restarting (the library
    # reconnects on the next call): one warning, and the job stays watched
    # ($true: the caller waits before the next call, which would fail at
    # once). A job that is gone: a warning (and Left is 'gone'); any other
    # failure: an error of the calling command; either way the entry is Done
    # ($false).
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        $Entry,

        [Parameter(Mandatory = $true)]
        [BitsWatch.Native.BitsWatchException] $Failure
    )

    $e = $Entry
    if ($script:ServiceDownCodes -contains $Failure.HResult) {
        if (-not $e.WarnedService) {
            $e.WarnedService = $true
            $Cmdlet.WriteWarning(('BITS job {0} ({1}): the BITS service is not answering ({2}); still watching.' -f $e.JobId, $e.Name, $Failure.Message))
        }
        return $true
    }
    if ($Failure.HResult -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND) {
        $Cmdlet.WriteWarning(('BITS job {0} ({1}) is gone.' -f $e.JobId, $e.Name))
        $e.Status = $null
        $e.Left = 'gone'
    }
    else {
        Write-BwJobError -Cmdlet $Cmdlet -JobId $e.JobId -Exception $Failure
    }
    $e.Done = $true
    return $false
}
