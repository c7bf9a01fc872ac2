function Format-BwDuration {
    # 00:04:10, or 2.03:00:00 past a day.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [TimeSpan] $Duration
    )

    if ($Duration.TotalDays -ge 1) {
        return $Duration.ToString('d\.hh\:mm\:ss')
    }
    return $Duration.ToString('hh\:mm\:ss')
}
