function Add-BwJobIdInput {
    # The process{} block of the three commands: adds the job ids of one
    # pipeline input (-JobId, or the JobId of each -BitsJob object) to the
    # list the end{} block works on. Other parameter sets take no input.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.List[Guid]] $Into,

        [AllowNull()]
        [Guid[]] $JobId,

        [AllowNull()]
        [object[]] $BitsJob
    )

    if ($Cmdlet.ParameterSetName -eq 'ById') {
        $Into.AddRange([Guid[]]$JobId)
    }
    elseif ($Cmdlet.ParameterSetName -eq 'BitsJob') {
        foreach ($id in (Get-BwBitsJobId -Cmdlet $Cmdlet -BitsJob $BitsJob)) {
            $Into.Add($id)
        }
    }
}
