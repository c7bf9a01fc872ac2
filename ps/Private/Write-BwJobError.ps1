function Write-BwJobError {
    # A non-terminating error for one job, written through the calling
    # command's $PSCmdlet, so the record names that command (not this helper).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [Guid] $JobId,

        [Parameter(Mandatory = $true)]
        $Exception
    )

    $id = 'BitsWatch.JobFailed'
    if ((Get-BwHResult -Exception $Exception) -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND) {
        $id = 'BitsWatch.JobNotFound'
    }
    $Cmdlet.WriteError((ConvertTo-BwErrorRecord -Exception $Exception -ErrorId $id -TargetObject $JobId))
}
