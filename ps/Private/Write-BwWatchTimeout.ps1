function Write-BwWatchTimeout {
    # The non-terminating OperationTimeout error of a job still running when
    # -TimeoutSec passed, with the state it was last seen in.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        $Entry,

        [Parameter(Mandatory = $true)]
        [int] $TimeoutSec
    )

    $state = 'not read yet'
    if ($null -ne $Entry.Status) {
        $state = $Entry.Status.State
    }
    $message = 'Timed out after {0} s waiting for BITS job {1} ({2}); it is {3}.' -f $TimeoutSec, $Entry.JobId, $Entry.Name, $state
    $ex = [System.TimeoutException]::new($message)
    $Cmdlet.WriteError((ConvertTo-BwErrorRecord -Exception $ex -ErrorId 'BitsWatch.Timeout' -TargetObject $Entry.JobId -Category OperationTimeout))
}
