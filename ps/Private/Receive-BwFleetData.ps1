function Receive-BwFleetData {
    # What one machine's remote command has sent since the last look (its
    # child job's collections, each read and emptied): status objects kept in
    # Machine.Output (marked BitsWatch.FleetJobStatus, for the fleet view),
    # the module's marker of a machine without it (or with another version)
    # and every error record as errors targeted at the machine (Write-BwFleetError),
    # warnings and verbose messages with the machine's name first, and, with
    # -Display, progress records under Ids of this display (Bars).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        $Machine,

        [Parameter(Mandatory = $true)]
        [hashtable] $Bars,

        [switch] $Display
    )

    $child = $Machine.Child
    $name = $Machine.Name
    foreach ($o in $child.Output.ReadAll()) {
        if ($o.PSObject.TypeNames -contains 'Deserialized.BitsWatch.FleetFailure') {
            $Machine.Failed = $true
            $category = [System.Management.Automation.ErrorCategory]::NotInstalled
            if ($o.Reason -eq 'ImportFailed') {
                $category = [System.Management.Automation.ErrorCategory]::ResourceUnavailable
            }
            Write-BwFleetError -Cmdlet $Cmdlet -Machine $name -ErrorId ('BitsWatch.{0}' -f $o.Reason) -Category $category -Message $o.Message
            continue
        }
        if ($o.PSObject.TypeNames -contains 'Deserialized.BitsWatch.JobStatus') {
            $o.PSObject.TypeNames.Insert(0, 'BitsWatch.FleetJobStatus')
            # The fleet view shows the machine (grouped): no extra column.
            $o.PSShowComputerName = $false
        }
        $Machine.Output.Add($o)
    }
    foreach ($e in $child.Error.ReadAll()) {
        $Machine.Failed = $true
        $message = $e.Exception.Message
        if ($null -ne $e.ErrorDetails -and $e.ErrorDetails.Message) {
            $message = $e.ErrorDetails.Message
        }
        Write-BwFleetError -Cmdlet $Cmdlet -Machine $name -ErrorId (($e.FullyQualifiedErrorId -split ',')[0]) -Category $e.CategoryInfo.Category -Message $message -Exception $e.Exception
    }
    foreach ($w in $child.Warning.ReadAll()) {
        $Cmdlet.WriteWarning(('{0}: {1}' -f $name, $w.Message))
    }
    foreach ($v in $child.Verbose.ReadAll()) {
        $Cmdlet.WriteVerbose(('{0}: {1}' -f $name, $v.Message))
    }
    $progress = $child.Progress.ReadAll()
    if (-not $Display) {
        return
    }
    foreach ($p in $progress) {
        $key = '{0}/{1}' -f $Machine.Index, $p.ActivityId
        if (-not $Bars.ContainsKey($key)) {
            $Bars[$key] = $script:ProgressIdBase + $Bars.Count
        }
        $activity = $p.Activity
        if ($p.ParentActivityId -lt 0) {
            $activity = '{0}: {1}' -f $name, $p.Activity
        }
        $r = [System.Management.Automation.ProgressRecord]::new($Bars[$key], $activity, $p.StatusDescription)
        if ($p.ParentActivityId -ge 0) {
            $parent = '{0}/{1}' -f $Machine.Index, $p.ParentActivityId
            if ($Bars.ContainsKey($parent)) {
                $r.ParentActivityId = $Bars[$parent]
            }
        }
        $r.PercentComplete = $p.PercentComplete
        $r.SecondsRemaining = $p.SecondsRemaining
        $r.RecordType = $p.RecordType
        $Cmdlet.WriteProgress($r)
    }
}
