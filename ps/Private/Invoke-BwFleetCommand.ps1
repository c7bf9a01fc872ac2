function Invoke-BwFleetCommand {
    # The end{} block of the three commands with -Session: the command's own
    # parameters (all it was given but -Session, -ThrottleLimit, the job
    # inputs and the common parameters other than -Verbose and -WhatIf) for
    # the machines, each input job id routed to the session it came from
    # (by RunspaceId, else by PSComputerName; one without a machine to every
    # session), then Invoke-BwFleet. A job id from a machine that is not in
    # -Session is an error targeted at that machine.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [hashtable] $BoundParameters,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.List[object]] $Route,

        [switch] $Display,

        [switch] $PassThru
    )

    $session = [System.Management.Automation.Runspaces.PSSession[]]$BoundParameters['Session']
    $throttle = 32
    if ($BoundParameters.ContainsKey('ThrottleLimit')) {
        $throttle = [int]$BoundParameters['ThrottleLimit']
    }
    $skip = @('Session', 'ThrottleLimit', 'JobId', 'BitsJob', 'ErrorAction', 'ErrorVariable', 'WarningAction',
        'WarningVariable', 'InformationAction', 'InformationVariable', 'OutVariable', 'OutBuffer',
        'PipelineVariable', 'Debug', 'ProgressAction', 'Confirm')
    $params = @{}
    foreach ($k in $BoundParameters.Keys) {
        if ($skip -notcontains $k) {
            $params[$k] = $BoundParameters[$k]
        }
    }
    $bySession = @{}
    $routed = $Cmdlet.ParameterSetName -eq 'ById' -or $Cmdlet.ParameterSetName -eq 'BitsJob'
    if ($routed) {
        $everywhere = [System.Collections.Generic.List[Guid]]::new()
        $byRunspace = @{}
        foreach ($s in $session) {
            $byRunspace[$s.InstanceId.ToString()] = $s
            $bySession[$s.InstanceId.ToString()] = [System.Collections.Generic.List[Guid]]::new()
        }
        foreach ($i in $Route) {
            $target = @()
            if ($null -ne $i.RunspaceId -and $byRunspace.ContainsKey($i.RunspaceId)) {
                $target = @($byRunspace[$i.RunspaceId])
            }
            elseif ($null -ne $i.ComputerName) {
                $target = @($session | Where-Object { $_.ComputerName -eq $i.ComputerName })
                if ($target.Count -eq 0) {
                    Write-BwFleetError -Cmdlet $Cmdlet -Machine $i.ComputerName -ErrorId 'BitsWatch.SessionNotGiven' -Category ObjectNotFound -Message ('BITS job {0} is on {1}, which none of the sessions of -Session reaches.' -f $i.JobId, $i.ComputerName)
                }
            }
            else {
                $everywhere.Add($i.JobId)
            }
            foreach ($s in $target) {
                $bySession[$s.InstanceId.ToString()].Add($i.JobId)
            }
        }
        foreach ($k in @($bySession.Keys)) {
            $list = $bySession[$k]
            foreach ($g in $everywhere) {
                if (-not $list.Contains($g)) {
                    $list.Add($g)
                }
            }
            if ($list.Count -eq 0) {
                $bySession.Remove($k)
            }
            else {
                $bySession[$k] = $list.ToArray()
            }
        }
    }
    Invoke-BwFleet -Cmdlet $Cmdlet -Session $session -ThrottleLimit $throttle -Command $Cmdlet.MyInvocation.MyCommand.Name -Parameters $params -JobIdBySession $bySession -Routed:$routed -Display:$Display -PassThru:$PassThru
}
