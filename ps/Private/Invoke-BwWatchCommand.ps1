function Invoke-BwWatchCommand {
    # The end{} block of Watch-BitsJob and Wait-BitsJob: the jobs (those given,
    # or those listed by -All or -Name), the question -Complete asks first
    # about listed jobs (other programs' jobs), then the watch (following the
    # queue for Watch-BitsJob -All). Returns the final status objects; nothing
    # when the user said no.
    [CmdletBinding()]
    [OutputType('BitsWatch.JobStatus')]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [Guid[]] $JobId,

        [AllowNull()]
        [string[]] $Name,

        [switch] $AllUsers,

        [int] $IntervalMs = 200,

        [int] $TimeoutSec = 0,

        [switch] $Complete,

        # -Force: -Complete with -All or -Name does not ask first.
        [switch] $Force,

        [switch] $Display,

        # The command's $ConfirmPreference and $WhatIfPreference (its own
        # -Confirm and -WhatIf set them in its scope).
        [Parameter(Mandatory = $true)]
        [string] $ConfirmPreferenceValue,

        [bool] $WhatIf
    )

    $listing = $Cmdlet.ParameterSetName -eq 'All' -or $Cmdlet.ParameterSetName -eq 'Name'
    $list = @(Get-BwJobIdList -Cmdlet $Cmdlet -JobId $JobId -List:$listing -Name $Name -AllUsers:$AllUsers)
    if ($Complete -and $listing -and -not (Confirm-BwCompleteAll -Cmdlet $Cmdlet -ConfirmPreferenceValue $ConfirmPreferenceValue -WhatIf $WhatIf -Force ([bool]$Force))) {
        return
    }
    # Watch-BitsJob -All follows the queue (jobs created while it runs are
    # shown too); Wait-BitsJob -All waits for the jobs listed now, so it ends
    # however many jobs keep arriving; -Name and given jobs are a fixed set.
    $follow = $Display -and $Cmdlet.ParameterSetName -eq 'All'
    Invoke-BwWatch -Cmdlet $Cmdlet -JobId $list -IntervalMs $IntervalMs -TimeoutSec $TimeoutSec -Complete:$Complete -Display:$Display -Listing:$listing -Follow:$follow -AllUsers:$AllUsers
}
