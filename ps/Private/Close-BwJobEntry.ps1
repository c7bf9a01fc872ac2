function Close-BwJobEntry {
    # Closes the handle of each entry Open-BwJobEntry opened (Dispose: once,
    # however often this runs); the entries keep what was read.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.List[object]] $Entry
    )

    foreach ($e in $Entry) {
        if ($null -ne $e.Job) {
            $e.Job.Dispose()
        }
    }
}
