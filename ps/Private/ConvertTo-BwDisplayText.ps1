function ConvertTo-BwDisplayText {
    # Text from BITS (names, descriptions, URLs) may hold escape sequences and
    # control characters that would move the cursor or recolor the console:
    # cleaned by the library's BwCleanText, as the CLI cleans it.
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
    # The library's rules (BwCleanText), as the CLI: an escape sequence goes
    # whole ("`e[2J" leaves nothing on screen, not "[2J").
    return [BitsWatch.Native.Text]::Clean([string]$Text)
}
