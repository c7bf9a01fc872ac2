function Write-BwFleetError {
    # A non-terminating error of one machine of a -Session command, through
    # the command's own WriteError: its TargetObject is the machine's name
    # (PSComputerName), its message starts with that name.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [string] $Machine,

        [Parameter(Mandatory = $true)]
        [string] $ErrorId,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.ErrorCategory] $Category,

        [Parameter(Mandatory = $true)]
        [string] $Message,

        [System.Exception] $Exception
    )

    if ($null -eq $Exception) {
        $Exception = [System.Management.Automation.RemoteException]::new($Message)
    }
    $record = [System.Management.Automation.ErrorRecord]::new($Exception, $ErrorId, $Category, $Machine)
    $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new(('{0}: {1}' -f $Machine, $Message))
    $Cmdlet.WriteError($record)
}
