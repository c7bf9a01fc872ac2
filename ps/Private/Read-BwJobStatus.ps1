function Read-BwJobStatus {
    # Reads one open job into its entry (BwJobPoll, waiting up to WaitMs),
    # then as Receive-BwJobSnapshot. Returns $null, or the library's exception.
    [CmdletBinding()]
    [OutputType([BitsWatch.Native.BitsWatchException])]
    param(
        [Parameter(Mandatory = $true)]
        $Entry,

        [int] $WaitMs = 0,

        [switch] $FreshInfo
    )

    $raw = $null
    $failure = $Entry.Job.TryPoll([uint32]$WaitMs, [ref]$raw)
    if ($null -ne $failure) {
        return $failure
    }
    return Receive-BwJobSnapshot -Entry $Entry -Raw $raw -FreshInfo:$FreshInfo
}
