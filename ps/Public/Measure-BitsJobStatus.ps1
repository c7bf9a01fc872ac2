function Measure-BitsJobStatus {
    <#
    .SYNOPSIS
    Summarises BITS job status objects per computer: jobs by state, rate, bytes left.

    .DESCRIPTION
    Measure-BitsJobStatus takes BitsWatch.JobStatus objects (from
    Get-BitsJobStatus, Wait-BitsJob -PassThru or Watch-BitsJob -PassThru,
    local or with -Session, or from Invoke-Command) and returns one
    BitsWatch.FleetSummary object per computer (PSComputerName; objects
    without one count for this computer), sorted by name: how many jobs,
    how many are moving (connecting or transferring), queued, suspended, in
    error (Error or TransientError) and done (transferred, acknowledged or
    cancelled), the sum of their rates and the bytes still to transfer (of
    the jobs not done whose size is known). Its table fits 80 columns: the
    machines with stuck jobs at a glance.

    .PARAMETER InputObject
    BitsWatch.JobStatus objects, live or deserialized, from the pipeline.

    .EXAMPLE
    Get-BitsJobStatus -Session $fleet -AllUsers | Measure-BitsJobStatus | Where-Object InError -gt 0

    The machines of a set of sessions with jobs in error.

    .EXAMPLE
    Invoke-Command -ComputerName web1, web2 { Get-BitsJobStatus } | Measure-BitsJobStatus

    The same summary from Invoke-Command's objects.

    .INPUTS
    BitsWatch.JobStatus

    .OUTPUTS
    BitsWatch.FleetSummary: ComputerName, Jobs, Moving, Queued, Suspended,
    InError, Done, BytesPerSecond, BytesLeft.

    .LINK
    Get-BitsJobStatus
    #>
    [CmdletBinding()]
    [OutputType('BitsWatch.FleetSummary')]
    param(
        [Parameter(Mandatory = $true, ValueFromPipeline = $true)]
        [AllowNull()]
        [psobject[]] $InputObject
    )

    begin {
        $byComputer = [System.Collections.Generic.SortedDictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
    }
    process {
        foreach ($o in $InputObject) {
            if ($null -eq $o -or $null -eq $o.PSObject.Properties['State']) {
                continue
            }
            $computer = [Environment]::MachineName
            $p = $o.PSObject.Properties['PSComputerName']
            if ($null -ne $p -and $p.Value) {
                $computer = [string]$p.Value
            }
            if (-not $byComputer.ContainsKey($computer)) {
                $byComputer[$computer] = [PSCustomObject]@{
                    PSTypeName     = 'BitsWatch.FleetSummary'
                    ComputerName   = $computer
                    Jobs           = 0
                    Moving         = 0
                    Queued         = 0
                    Suspended      = 0
                    InError        = 0
                    Done           = 0
                    BytesPerSecond = [double]0
                    BytesLeft      = [UInt64]0
                }
            }
            $s = $byComputer[$computer]
            $s.Jobs++
            $done = $false
            switch ([string]$o.State) {
                'Connecting' { $s.Moving++ }
                'Transferring' { $s.Moving++ }
                'Queued' { $s.Queued++ }
                'Suspended' { $s.Suspended++ }
                'Error' { $s.InError++ }
                'TransientError' { $s.InError++ }
                default { $s.Done++; $done = $true }
            }
            if ($null -ne $o.BytesPerSecond) {
                $s.BytesPerSecond += [double]$o.BytesPerSecond
            }
            if (-not $done -and $null -ne $o.BytesTotal -and [UInt64]$o.BytesTotal -gt [UInt64]$o.BytesTransferred) {
                $s.BytesLeft += [UInt64]$o.BytesTotal - [UInt64]$o.BytesTransferred
            }
        }
    }
    end {
        foreach ($s in $byComputer.Values) {
            $s
        }
    }
}
