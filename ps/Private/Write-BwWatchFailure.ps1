function Write-BwWatchFailure {
    # A read of a watched job failed. The service restarting (the library
    # reconnects on the next call): one warning, and the job stays watched
    # ($true: the caller waits before the next call, which would fail at
    # once). A job that is gone: Left is 'gone', and a JobNotFound error
    # when the caller gave it (a warning when it was listed); any other
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
        # A job the caller named is an error, as when it is missing at the
        # start (JobNotFound, honouring -ErrorAction); one the command listed
        # itself may go at any time: a warning.
        if ($e.Listed) {
            $Cmdlet.WriteWarning(('BITS job {0} ({1}) is gone.' -f $e.JobId, $e.Name))
        }
        else {
            Write-BwJobError -Cmdlet $Cmdlet -JobId $e.JobId -Exception $Failure
        }
        $e.Status = $null
        $e.Left = 'gone'
    }
    else {
        Write-BwJobError -Cmdlet $Cmdlet -JobId $e.JobId -Exception $Failure
    }
    $e.Done = $true
    return $false
}
