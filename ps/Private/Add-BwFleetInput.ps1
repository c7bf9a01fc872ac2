function Add-BwFleetInput {
    # The process{} block of the three commands with -Session: adds the job
    # ids of one pipeline input to INTO with the machine the input came from
    # (the RunspaceId and PSComputerName that Invoke-Command and -Session put
    # on objects), so that Invoke-BwFleet sends each id back to its machine.
    # An id without a machine (a GUID, or -JobId given as a parameter) goes to
    # every session.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.List[object]] $Into,

        [AllowNull()]
        $InputObject,

        [AllowNull()]
        [Guid[]] $JobId,

        [AllowNull()]
        [object[]] $BitsJob
    )

    $ids = [System.Collections.Generic.List[Guid]]::new()
    Add-BwJobIdInput -Cmdlet $Cmdlet -Into $ids -JobId $JobId -BitsJob $BitsJob
    $runspaceId = $null
    $computer = $null
    if ($Cmdlet.MyInvocation.ExpectingInput -and $null -ne $InputObject -and $InputObject -is [psobject]) {
        $p = $InputObject.PSObject.Properties['RunspaceId']
        if ($null -ne $p -and $null -ne $p.Value) {
            $runspaceId = [string]$p.Value
        }
        $p = $InputObject.PSObject.Properties['PSComputerName']
        if ($null -ne $p -and $p.Value) {
            $computer = [string]$p.Value
        }
    }
    foreach ($id in $ids) {
        $Into.Add([PSCustomObject]@{ JobId = $id; RunspaceId = $runspaceId; ComputerName = $computer })
    }
}
