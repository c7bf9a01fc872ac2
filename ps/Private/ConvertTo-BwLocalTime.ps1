function ConvertTo-BwLocalTime {
    # A time of the binding (UTC) as local time, as BitsTransfer gives it.
    [CmdletBinding()]
    [OutputType([datetime])]
    param(
        [Parameter(Position = 0)]
        [AllowNull()]
        $Time
    )

    if ($null -eq $Time) {
        return $null
    }
    return ([datetime]$Time).ToLocalTime()
}
