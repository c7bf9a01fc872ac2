function ConvertTo-BwDisplayText {
    # Text from BITS (names, descriptions, URLs) may hold control characters
    # that would move the cursor or recolor the console: line breaks and tabs
    # become one space, other C0/C1 controls and bidirectional overrides go.
    # $null stays $null (an untyped parameter: [string] would make it '').
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Position = 0)]
        [AllowNull()]
        $Text
    )

    if ($null -eq $Text) {
        return $null
    }
    $clean = ([string]$Text) -replace '[\r\n\t]+', ' '
    $clean = $clean -replace '[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]', ''
    return $clean.Trim()
}
