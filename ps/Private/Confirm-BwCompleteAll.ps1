function Confirm-BwCompleteAll {
    # -Complete on every listed job (-All, -Name) acknowledges other programs'
    # jobs, so it asks first (ShouldContinue) unless -Force; -Confirm:$false
    # (or $ConfirmPreference = 'None') also skips the question, as it did
    # before -Force existed; -WhatIf asks nothing (ShouldProcess reports each
    # job instead). A host that cannot ask (pwsh -NonInteractive, a runspace
    # without a host) gets a terminating error record of the calling command
    # that says to add -Force, not the host's .NET exception. $true: go on;
    # $false: the user said no.
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [string] $ConfirmPreferenceValue,

        [bool] $WhatIf,

        [bool] $Force
    )

    if ($WhatIf -or $Force -or $ConfirmPreferenceValue -eq 'None') {
        return $true
    }
    try {
        return $Cmdlet.ShouldContinue(
            'Complete every listed BITS job that reaches Transferred? This acknowledges jobs other programs created; they may still want to read them. Use -Force in scripts.',
            'Complete BITS jobs')
    }
    catch [System.Management.Automation.PipelineStoppedException] {
        throw
    }
    catch {
        $message = '{0} -Complete with -All or -Name completes jobs other programs created, so it asks first, and this host cannot ask ({1}). Add -Force to complete them without asking.' -f $Cmdlet.MyInvocation.MyCommand.Name, $_.Exception.Message
        $ex = [System.Management.Automation.PSInvalidOperationException]::new($message, $_.Exception)
        $record = [System.Management.Automation.ErrorRecord]::new($ex, 'BitsWatch.ConfirmationRequired', [System.Management.Automation.ErrorCategory]::InvalidOperation, $null)
        $Cmdlet.ThrowTerminatingError($record)
    }
}
