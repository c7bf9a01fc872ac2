function Get-BwBitsJobId {
    # The JobId of each object given to -BitsJob; an error for any without one.
    [CmdletBinding()]
    [OutputType([Guid[]])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [AllowEmptyCollection()]
        [object[]] $BitsJob
    )

    foreach ($job in $BitsJob) {
        $id = $null
        if ($null -ne $job) {
            $property = $job.PSObject.Properties['JobId']
            if ($null -ne $property) {
                $id = $property.Value -as [Guid]
            }
        }
        if ($null -eq $id) {
            $ex = [System.ArgumentException]::new(
                '-BitsJob takes BITS job objects (Get-BitsTransfer output); this object has no JobId.')
            $Cmdlet.WriteError((ConvertTo-BwErrorRecord -Exception $ex -ErrorId 'BitsWatch.NotABitsJob' -TargetObject $job -Category InvalidArgument))
            continue
        }
        $id
    }
}
