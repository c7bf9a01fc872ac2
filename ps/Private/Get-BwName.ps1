function Get-BwName {
    # The name of a value in one of the name tables of BitsWatch.psm1
    # ($script:TypeNames ...), or the number itself.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [string[]] $Table,

        [Parameter(Mandatory = $true, Position = 1)]
        [uint32] $Value
    )

    if ($Value -lt $Table.Count) {
        return $Table[$Value]
    }
    return [string]$Value
}
