function Format-BwStatusLine {
    # "Transferring: 12.5 MB / 40 MB (31%), 1.2 MB/s, ETA 00:00:27"; with
    # -NoRate (a job that has left the queue) the state and bytes alone.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        $JobStatus,

        [switch] $NoRate
    )

    $line = '{0}: {1} / {2}' -f $JobStatus.State, (Format-BwByteCount $JobStatus.BytesTransferred), (Format-BwByteCount $JobStatus.BytesTotal)
    if ($null -ne $JobStatus.Percent) {
        $line += ' ({0:0}%)' -f [math]::Floor($JobStatus.Percent)
    }
    if ($NoRate) {
        return $line
    }
    if ($JobStatus.BytesPerSecond -gt 0) {
        $line += ', {0}/s' -f (Format-BwByteCount $JobStatus.BytesPerSecond)
    }
    if ($null -ne $JobStatus.Eta) {
        $line += ', ETA {0}' -f (Format-BwDuration $JobStatus.Eta)
    }
    return $line
}
