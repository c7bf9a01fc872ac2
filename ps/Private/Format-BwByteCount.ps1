function Format-BwByteCount {
    # 12.5 MB, 40 MB, 512 B: binary units (1 MB = 1048576 bytes; written as
    # numbers, not 1MB: tree-sitter-powershell, which checks this file, lacks the suffixes).
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Position = 0)]
        [AllowNull()]
        $Bytes
    )

    if ($null -eq $Bytes) {
        return '?'
    }
    $b = [double]$Bytes
    if ($b -ge 1099511627776) {
        return ('{0:0.#} TB' -f ($b / 1099511627776))
    }
    if ($b -ge 1073741824) {
        return ('{0:0.#} GB' -f ($b / 1073741824))
    }
    if ($b -ge 1048576) {
        return ('{0:0.#} MB' -f ($b / 1048576))
    }
    if ($b -ge 1024) {
        return ('{0:0.#} KB' -f ($b / 1024))
    }
    return ('{0:0} B' -f $b)
}
