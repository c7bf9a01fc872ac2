function Get-BwHResult {
    # The HRESULT of an exception from the binding (0 when it has none).
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory = $true)]
        $Exception
    )

    $e = $Exception
    while ($null -ne $e) {
        if ($e -is [BitsWatch.Native.BitsWatchException]) {
            return $e.HResult
        }
        $e = $e.InnerException
    }
    return 0
}
