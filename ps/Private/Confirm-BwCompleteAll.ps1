function Confirm-BwCompleteAll {
    # -Complete on every listed job (-All, -Name) acknowledges other programs'
    # jobs: treated as ConfirmImpact High, so it asks unless -Confirm:$false
    # (or $ConfirmPreference = 'None'); -WhatIf asks nothing (ShouldProcess
    # reports each job instead). $true: go on.
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [string] $ConfirmPreferenceValue,

        [bool] $WhatIf
    )

    if ($WhatIf -or $ConfirmPreferenceValue -eq 'None') {
        return $true
    }
    return $Cmdlet.ShouldContinue(
        'Complete every listed BITS job that reaches Transferred? This acknowledges jobs other programs created; they may still want to read them. Use -Confirm:$false in scripts.',
        'Complete BITS jobs')
}
