function Open-BwJobEntry {
    # Opens each job for a command: one entry per job (one that did not open
    # is Done at once, and gets an error through the command unless -Listing
    # and it is gone); Index is the position given, counted from FirstIndex
    # (jobs that arrive while Watch-BitsJob -All runs come after the others).
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [Guid[]] $JobId,

        [AllowNull()]
        [System.Collections.Generic.List[object]] $Into,

        [switch] $Listing,

        [int] $FirstIndex = 0
    )

    $index = $FirstIndex
    foreach ($id in $JobId) {
        $entry = [PSCustomObject]@{
            Index         = $index
            JobId         = $id
            Listed        = [bool]$Listing   # listed (-All, -Name), not given: going away is no error
            Name          = $id.ToString('B')
            Job           = $null
            Raw           = $null
            Info          = $null
            JobError      = $null
            Status        = $null
            Done          = $false
            ErrorShown    = $false
            WarnedIdle    = $false
            WarnedService = $false
            Left          = $null     # why it left the queue: 'cancelled', 'completed', 'gone'
            LeftAtMs      = -1        # the watch's clock when that was shown
            LastStatus    = $null     # the status its bar last showed
            BarEnded      = $false    # its bar has had its Completed record
        }
        $index++
        $job = $null
        $info = $null
        $failure = [BitsWatch.Native.Job]::TryOpen($id, [ref]$job)
        if ($null -eq $failure) {
            $entry.Job = $job
            $failure = $job.TryGetInfo([ref]$info)
        }
        if ($null -eq $failure) {
            $entry.Info = $info
            $name = ConvertTo-BwDisplayText $info.DisplayName
            if ($name) {
                $entry.Name = $name
            }
        }
        else {
            if ($null -ne $entry.Job) {
                $entry.Job.Dispose()
                $entry.Job = $null
            }
            # A listed job may finish and vanish before it is read.
            if (-not ($Listing -and $failure.HResult -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND)) {
                Write-BwJobError -Cmdlet $Cmdlet -JobId $id -Exception $failure
            }
            $entry.Done = $true
        }
        if ($null -ne $Into) {
            $Into.Add($entry)
        }
    }
}
