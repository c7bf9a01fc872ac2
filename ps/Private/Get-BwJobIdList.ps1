function Get-BwJobIdList {
    # The jobs to work on: the given ids (duplicates dropped, order kept), or
    # every job of the user (every user's with -AllUsers), or those whose
    # display name matches -Name. A listing failure is a terminating error of
    # the calling command.
    [CmdletBinding()]
    [OutputType([Guid[]])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [AllowEmptyCollection()]
        [Guid[]] $JobId,

        [switch] $List,

        [string[]] $Name,

        [switch] $AllUsers
    )

    if (-not $List) {
        $seen = [System.Collections.Generic.HashSet[Guid]]::new()
        foreach ($id in $JobId) {
            if ($seen.Add($id)) {
                $id
            }
        }
        return
    }
    $scope = 'CurrentUser'
    if ($AllUsers) {
        $scope = 'AllUsers'
    }
    $ids = $null
    $failure = [BitsWatch.Native.Job]::TryEnumJobs([bool]$AllUsers, [ref]$ids)
    if ($null -ne $failure) {
        $record = ConvertTo-BwErrorRecord -Exception $failure -ErrorId 'BitsWatch.EnumFailed' -TargetObject $scope
        if ($record.CategoryInfo.Category -eq [System.Management.Automation.ErrorCategory]::PermissionDenied -and $AllUsers) {
            $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new(
                '{0} Listing every user''s BITS jobs (-AllUsers) needs an elevated session (Run as administrator).' -f $record.Exception.Message)
        }
        $Cmdlet.ThrowTerminatingError($record)
    }
    if ($null -eq $Name -or $Name.Count -eq 0) {
        return $ids
    }

    $patterns = @($Name | ForEach-Object {
            [System.Management.Automation.WildcardPattern]::new($_, [System.Management.Automation.WildcardOptions]::IgnoreCase)
        })
    $matched = [System.Collections.Generic.HashSet[string]]::new()
    foreach ($id in $ids) {
        # Gone since it was listed, or not readable: not a match.
        $job = $null
        $info = $null
        if ($null -ne [BitsWatch.Native.Job]::TryOpen($id, [ref]$job)) {
            continue
        }
        try {
            if ($null -ne $job.TryGetInfo([ref]$info)) {
                continue
            }
        }
        finally {
            $job.Dispose()
        }
        $displayName = ConvertTo-BwDisplayText $info.DisplayName
        if ($null -eq $displayName) {
            continue
        }
        for ($i = 0; $i -lt $patterns.Count; $i++) {
            if ($patterns[$i].IsMatch($displayName)) {
                $null = $matched.Add($Name[$i])
                $id
                break
            }
        }
    }
    # Like Get-BitsTransfer -Name: a plain name that matched nothing is an error.
    foreach ($n in $Name) {
        if (-not $matched.Contains($n) -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
            $ex = [System.Management.Automation.ItemNotFoundException]::new(
                "No BITS job named '{0}' was found." -f $n)
            $Cmdlet.WriteError((ConvertTo-BwErrorRecord -Exception $ex -ErrorId 'BitsWatch.NameNotFound' -TargetObject $n -Category ObjectNotFound))
        }
    }
}
