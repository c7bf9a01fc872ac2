function Invoke-BwFleet {
    # The -Session form of Get-BitsJobStatus, Wait-BitsJob and Watch-BitsJob:
    # runs COMMAND with PARAMETERS on every session at once over PowerShell
    # remoting (Invoke-Command -AsJob, at most ThrottleLimit machines at a
    # time), and passes on what comes back as it comes:
    # - the status objects, with PSComputerName (and the type name
    #   BitsWatch.FleetJobStatus first, for the fleet view), each machine's
    #   together when its command has ended (-Display: its progress bars live);
    # - each failure of a machine as an error record whose TargetObject is
    #   that machine's name: a session that is not open or breaks
    #   (BitsWatch.SessionUnavailable), BitsWatch not installed there
    #   (BitsWatch.NotInstalled), another version there
    #   (BitsWatch.OtherVersion), an import that failed (BitsWatch.ImportFailed),
    #   and the command's own errors there (BitsWatch.JobNotFound,
    #   BitsWatch.AccessDenied...: the same ids as locally), while the other
    #   machines go on;
    # - warnings and verbose messages, prefixed with the machine's name;
    # - -Display: the remote Watch-BitsJob's progress records, one display for
    #   all: each bar gets an Id of its own here (from ProgressIdBase, in order
    #   of appearance) and the machine's name before the job's.
    # Ctrl+C (or PowerShell.Stop()) stops every remote command before it
    # returns (StopJob waits for the remote pipelines to stop), so nothing
    # keeps running on the machines.
    # JobIdBySession: a session's InstanceId -> the job ids for it (piped
    # objects go back to the machine they came from); a session not in it
    # gets PARAMETERS as they are, or is skipped with -Routed.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [int] $ThrottleLimit = 32,

        [Parameter(Mandatory = $true)]
        [string] $Command,

        [Parameter(Mandatory = $true)]
        [hashtable] $Parameters,

        [hashtable] $JobIdBySession = @{},

        [switch] $Routed,

        [switch] $Display,

        [switch] $PassThru
    )

    # Runs on the machine: the module of this version, then the command. A
    # machine without it (or with another version) answers with a marker
    # object instead of an error, so that it is told apart for certain here.
    $remote = {
        param([string] $Command, [hashtable] $Parameters, [string] $Version)
        $failure = {
            param([string] $Reason, [string] $Message, [string[]] $Versions)
            [PSCustomObject]@{ PSTypeName = 'BitsWatch.FleetFailure'; Reason = $Reason; Message = $Message; Versions = $Versions }
        }
        $loaded = @(Get-Module -Name 'BitsWatch')
        if ($loaded.Count -eq 0) {
            $found = @(Get-Module -ListAvailable -Name 'BitsWatch')
            if ($found.Count -eq 0) {
                & $failure 'NotInstalled' 'BitsWatch is not installed (no BitsWatch module in PSModulePath).' @()
                return
            }
            if (@($found | Where-Object { $_.Version -eq [version]$Version }).Count -eq 0) {
                $versions = @($found | ForEach-Object { $_.Version.ToString() } | Sort-Object -Unique)
                & $failure 'OtherVersion' ('BitsWatch {0} is installed, not {1}.' -f ($versions -join ', '), $Version) $versions
                return
            }
            try {
                $null = Import-Module -Name 'BitsWatch' -RequiredVersion $Version -ErrorAction Stop
            }
            catch {
                & $failure 'ImportFailed' ('Import-Module BitsWatch {0} failed: {1}' -f $Version, $_.Exception.Message) @($Version)
                return
            }
        }
        elseif ($loaded[0].Version -ne [version]$Version) {
            & $failure 'OtherVersion' ('BitsWatch {0} is loaded in this session, not {1}.' -f $loaded[0].Version, $Version) @($loaded[0].Version.ToString())
            return
        }
        & $Command @Parameters
    }

    $version = $MyInvocation.MyCommand.Module.Version.ToString()
    # Sessions with the same parameters share one Invoke-Command -AsJob (a
    # child job per machine): its ThrottleLimit is Invoke-Command's, and
    # stopping it stops every machine's command at once, not one by one.
    $groups = [ordered]@{}
    $machines = [System.Collections.Generic.List[object]]::new()
    $index = 0
    foreach ($s in $Session) {
        $name = $s.ComputerName
        $m = [PSCustomObject]@{
            Session = $s; Name = $name; Index = $index; Child = $null; Output = [System.Collections.Generic.List[object]]::new()
            Failed = $false; Done = $false
        }
        $index++
        $machines.Add($m)
        $params = $Parameters
        $key = $s.InstanceId.ToString()
        $groupKey = '*'
        if ($JobIdBySession.ContainsKey($key)) {
            $params = $Parameters.Clone()
            $params['JobId'] = [Guid[]]$JobIdBySession[$key]
            $groupKey = ($params['JobId'] | ForEach-Object { $_.ToString() }) -join ','
        }
        elseif ($Routed) {
            $m.Done = $true
            continue
        }
        if ($s.State -ne 'Opened' -or $s.Availability -eq 'None') {
            $m.Done = $true
            Write-BwFleetError -Cmdlet $Cmdlet -Machine $name -ErrorId 'BitsWatch.SessionUnavailable' -Category ConnectionError -Message ('The session to {0} is {1}: open a new one (New-PSSession).' -f $name, $s.State)
            continue
        }
        if (-not $groups.Contains($groupKey)) {
            $groups[$groupKey] = [PSCustomObject]@{ Parameters = $params; Machines = [System.Collections.Generic.List[object]]::new(); Job = $null }
        }
        $groups[$groupKey].Machines.Add($m)
    }

    $bars = @{}          # "machine index/remote Id" -> the Id of its bar here
    $running = [System.Collections.Generic.List[object]]::new()
    try {
        foreach ($g in $groups.Values) {
            $sessions = [System.Management.Automation.Runspaces.PSSession[]]@($g.Machines | ForEach-Object { $_.Session })
            $g.Job = Invoke-Command -Session $sessions -ScriptBlock $remote -ArgumentList $Command, $g.Parameters, $version -AsJob -ThrottleLimit $ThrottleLimit
            # A child job per session, in the order given.
            for ($i = 0; $i -lt $g.Machines.Count; $i++) {
                $g.Machines[$i].Child = $g.Job.ChildJobs[$i]
                $running.Add($g.Machines[$i])
            }
        }
        while ($running.Count -gt 0) {
            foreach ($m in @($running)) {
                $finished = $m.Child.Finished.WaitOne(0)
                Receive-BwFleetData -Cmdlet $Cmdlet -Machine $m -Bars $bars -Display:$Display
                if ($finished) {
                    $reason = $m.Child.JobStateInfo.Reason
                    if ($m.Child.JobStateInfo.State -eq 'Failed' -and -not $m.Failed -and $null -ne $reason) {
                        $m.Failed = $true
                        $id = 'BitsWatch.SessionUnavailable'
                        $category = [System.Management.Automation.ErrorCategory]::ConnectionError
                        if ($reason -is [System.Management.Automation.IContainsErrorRecord] -and
                            -not ($reason -is [System.Management.Automation.Remoting.PSRemotingTransportException])) {
                            $id = ($reason.ErrorRecord.FullyQualifiedErrorId -split ',')[0]
                            $category = $reason.ErrorRecord.CategoryInfo.Category
                        }
                        Write-BwFleetError -Cmdlet $Cmdlet -Machine $m.Name -ErrorId $id -Category $category -Message $reason.Message -Exception $reason
                    }
                    if (-not $Display -or $PassThru) {
                        foreach ($o in $m.Output) {
                            $o
                        }
                    }
                    $m.Done = $true
                    $null = $running.Remove($m)
                }
            }
            if ($running.Count -gt 0) {
                # Progress shows within 25 ms of its arrival; the others wake
                # at the end of any machine's command.
                $handles = [System.Threading.WaitHandle[]]@($running | Select-Object -First 64 | ForEach-Object { $_.Child.Finished })
                $waitMs = 200
                if ($Display) {
                    $waitMs = 25
                }
                $null = [System.Threading.WaitHandle]::WaitAny($handles, $waitMs)
            }
        }
    }
    finally {
        # Also on Ctrl+C: .NET calls only (a stopping pipeline runs no
        # further commands). StopJob returns when the remote commands of
        # the group have stopped.
        foreach ($g in $groups.Values) {
            if ($null -ne $g.Job) {
                if (-not $g.Job.Finished.WaitOne(0)) {
                    try {
                        $g.Job.StopJob()
                    }
                    catch {
                        Write-Verbose ('Stopping the remote commands: {0}' -f $_.Exception.Message)
                    }
                }
                $g.Job.Dispose()
                $g.Job = $null
            }
        }
        if ($Display) {
            foreach ($id in $bars.Values) {
                try {
                    $done = [System.Management.Automation.ProgressRecord]::new($id, 'BitsWatch', 'Done')
                    $done.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
                    $Cmdlet.WriteProgress($done)
                }
                catch {
                    break
                }
            }
        }
    }
}
