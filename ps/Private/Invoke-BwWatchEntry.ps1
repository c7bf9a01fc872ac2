function Invoke-BwWatchEntry {
    # What a watch does with a job it has just read: the error of a job in
    # error (once), a warning for a job that waits on something (once while it
    # stays so), -Complete on a transferred job; the entry is Done once the
    # job is final (Left says why when it left the queue: acknowledged or
    # cancelled). Returns $null, or the library's exception.
    [CmdletBinding()]
    [OutputType([BitsWatch.Native.BitsWatchException])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        $Entry,

        [switch] $Complete
    )

    $e = $Entry
    $raw = $e.Raw
    $state = $raw.State
    if ($state -eq [BitsWatch.Native.JobState]::Error -and -not $e.ErrorShown) {
        $e.ErrorShown = $true
        $text = $e.Status.ErrorDescription
        if (-not $text) {
            $text = [BitsWatch.Native.BitsWatchException]::FormatMessage($raw.ErrorCode)
        }
        $message = 'BITS job {0} ({1}) failed: {2} (0x{3:X8})' -f $e.JobId, $e.Name, $text, $raw.ErrorCode
        if ($e.Status.ErrorRemoteName) {
            $message += ' [{0}]' -f $e.Status.ErrorRemoteName
        }
        $ex = [BitsWatch.Native.BitsWatchException]::new($raw.ErrorCode, $message)
        # What the code says (access denied: PermissionDenied, ...); a code
        # the module does not sort is a transfer failure (HTTP, network):
        # ConnectionError, or WriteError in the local file.
        $category = Get-BwErrorCategory $raw.ErrorCode
        if ($category -eq [System.Management.Automation.ErrorCategory]::NotSpecified) {
            $category = [System.Management.Automation.ErrorCategory]::ConnectionError
            if ((Get-BwName $script:ContextNames $raw.ErrorContext) -eq 'LocalFile') {
                $category = [System.Management.Automation.ErrorCategory]::WriteError
            }
        }
        $Cmdlet.WriteError((ConvertTo-BwErrorRecord -Exception $ex -ErrorId 'BitsWatch.JobInError' -TargetObject $e.JobId -Category $category))
    }
    if ($state -eq [BitsWatch.Native.JobState]::Suspended -or $state -eq [BitsWatch.Native.JobState]::TransientError) {
        # Not final: the watch goes on until it moves again.
        if (-not $e.WarnedIdle) {
            $e.WarnedIdle = $true
            if ($state -eq [BitsWatch.Native.JobState]::Suspended) {
                $Cmdlet.WriteWarning(('BITS job {0} ({1}) is suspended: it will not finish until it is resumed (Resume-BitsTransfer). Waiting; -TimeoutSec limits the wait.' -f $e.JobId, $e.Name))
            }
            else {
                $Cmdlet.WriteWarning(('BITS job {0} ({1}) is in a transient error ({2}); BITS retries it by itself (Resume-BitsTransfer retries now). Waiting; -TimeoutSec limits the wait.' -f $e.JobId, $e.Name, $e.Status.ErrorDescription))
            }
        }
    }
    else {
        $e.WarnedIdle = $false
    }
    if ($state -eq [BitsWatch.Native.JobState]::Transferred -and $Complete) {
        $target = 'BITS job {0} ({1})' -f $e.JobId, $e.Name
        if ($Cmdlet.ShouldProcess($target, 'Complete (acknowledge the transfer; its files move to their destination)')) {
            $failure = $e.Job.TryComplete()
            if ($null -eq $failure) {
                $failure = Read-BwJobStatus -Entry $e -FreshInfo
            }
            if ($null -ne $failure) {
                return $failure
            }
        }
    }
    if ($e.Raw.IsFinal) {
        $e.Done = $true
        # Acknowledged or cancelled (by -Complete, or by another program): the
        # job has left BITS' queue.
        $state = $e.Raw.State
        if ($state -eq [BitsWatch.Native.JobState]::Acknowledged) {
            $e.Left = 'completed'
        }
        elseif ($state -eq [BitsWatch.Native.JobState]::Cancelled) {
            $e.Left = 'cancelled'
        }
    }
    return $null
}
