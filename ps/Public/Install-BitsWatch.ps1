function Install-BitsWatch {
    <#
    .SYNOPSIS
    Installs this BitsWatch on the machines of PowerShell remoting sessions and tells which version each one has.

    .DESCRIPTION
    Install-BitsWatch copies the folder of the BitsWatch module loaded here
    (its ModuleBase: the module files, bin\win-x64 and bin\win-x86) over
    each session (Copy-Item -ToSession) into <Destination>\BitsWatch\<version>
    on that machine, where Destination is the first folder of the machine's
    PSModulePath (its user's modules folder) unless given. Other versions
    there are left as they are (side by side). A machine that already has
    this version in any folder of its PSModulePath is left alone, unless
    -Force.

    Afterwards it lists the BitsWatch versions each machine finds in its
    PSModulePath (Get-Module -ListAvailable, in the session) and returns one
    object per machine: ComputerName, Version (this one), Action
    (Installed, Current: already there, Failed, or WhatIf), Path (where it
    was copied, or where this version already is), Versions (every version
    there now). A machine that fails
    writes an error whose TargetObject is its name; the others go on.

    With -WhatIf it copies nothing and returns the versions each machine has
    now: the version check.

    The -Session commands (Get-BitsJobStatus, Wait-BitsJob, Watch-BitsJob)
    need this version on each machine; an older PowerShell session there
    that already imported another version needs a new session.

    .PARAMETER Session
    The PowerShell remoting sessions (New-PSSession -ComputerName or -HostName).

    .PARAMETER Destination
    The module folder on the machines (the same for all), instead of the
    first folder of each machine's PSModulePath.

    .PARAMETER Force
    Copies also to machines that already have this version (repairs a copy).

    .EXAMPLE
    $fleet = New-PSSession -HostName web1, web2, web3
    Install-BitsWatch -Session $fleet

    ComputerName Version Action    Versions
    ------------ ------- ------    --------
    web1         0.3.0   Installed 0.3.0
    web2         0.3.0   Current   0.3.0
    web3         0.3.0   Installed 0.3.0, 0.1.0

    .EXAMPLE
    Install-BitsWatch -Session $fleet -WhatIf | Where-Object Versions -notcontains '0.3.0'

    The version check alone: the machines without this version.

    .OUTPUTS
    BitsWatch.InstallResult

    .LINK
    Get-BitsJobStatus
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('BitsWatch.InstallResult')]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [ValidateNotNullOrEmpty()]
        [string] $Destination,

        [switch] $Force
    )

    $module = $MyInvocation.MyCommand.Module
    $version = $module.Version.ToString()
    $source = $module.ModuleBase
    $inspect = {
        param([string] $Destination, [string] $Version)
        if (-not $Destination) {
            $Destination = @($env:PSModulePath -split [System.IO.Path]::PathSeparator | Where-Object { $_ })[0]
        }
        $found = @(Get-Module -ListAvailable -Name 'BitsWatch')
        # Where this version is (the folder Import-Module would take), or ''.
        $installed = [string](@($found | Where-Object { $_.Version -eq [version]$Version } | ForEach-Object { $_.ModuleBase }) + '')[0]
        [PSCustomObject]@{
            Destination = $Destination
            Versions    = [string[]]@($found | ForEach-Object { $_.Version.ToString() } | Sort-Object -Unique -Descending)
            Installed   = $installed
        }
    }
    foreach ($s in $Session) {
        $name = $s.ComputerName
        $failure = $null
        if ($s.State -ne 'Opened') {
            $failure = [System.Management.Automation.RemoteException]::new(('The session to {0} is {1}: open a new one (New-PSSession).' -f $name, $s.State))
        }
        else {
            try {
                $before = Invoke-Command -Session $s -ScriptBlock $inspect -ArgumentList $Destination, $version -ErrorAction Stop
                $path = [string]$before.Destination + '/BitsWatch/' + $version
                $action = 'Current'
                if (-not [string]::IsNullOrEmpty([string]$before.Installed)) {
                    $path = [string]$before.Installed
                }
                if ($Force -or @($before.Versions) -notcontains $version) {
                    $action = 'WhatIf'
                    if ($PSCmdlet.ShouldProcess($name, ('Install BitsWatch {0} in {1}' -f $version, $path))) {
                        $path = Invoke-Command -Session $s -ErrorAction Stop -ArgumentList $path -ScriptBlock {
                            param([string] $Path)
                            $null = New-Item -ItemType Directory -Path $Path -Force -ErrorAction Stop
                            (Resolve-Path -LiteralPath $Path).ProviderPath
                        }
                        Copy-Item -Path (Join-Path -Path $source -ChildPath '*') -Destination $path -ToSession $s -Recurse -Force -ErrorAction Stop
                        $action = 'Installed'
                    }
                }
                $after = $before
                if ($action -eq 'Installed') {
                    $after = Invoke-Command -Session $s -ScriptBlock $inspect -ArgumentList $Destination, $version -ErrorAction Stop
                }
                [PSCustomObject]@{
                    PSTypeName   = 'BitsWatch.InstallResult'
                    ComputerName = $name
                    Version      = $version
                    Action       = $action
                    Path         = $path
                    Versions     = [string[]]@($after.Versions)
                }
            }
            catch {
                $failure = $_.Exception
            }
        }
        if ($null -ne $failure) {
            $record = [System.Management.Automation.ErrorRecord]::new($failure, 'BitsWatch.InstallFailed', [System.Management.Automation.ErrorCategory]::WriteError, $name)
            $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new(('{0}: installing BitsWatch {1} failed: {2}' -f $name, $version, $failure.Message))
            $PSCmdlet.WriteError($record)
            [PSCustomObject]@{
                PSTypeName   = 'BitsWatch.InstallResult'
                ComputerName = $name
                Version      = $version
                Action       = 'Failed'
                Path         = $null
                Versions     = [string[]]@()
            }
        }
    }
}
