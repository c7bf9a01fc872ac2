function ConvertTo-BwErrorRecord {
    # An ErrorRecord from an exception: for one of the binding, the
    # BitsWatchException inside it (not PowerShell's "Exception calling ..."
    # wrapper) and a category from its HRESULT; -Category says it instead
    # (the module's own exceptions, which have no HRESULT of the library).
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        $Exception,

        [Parameter(Mandatory = $true)]
        [string] $ErrorId,

        [AllowNull()]
        $TargetObject,

        [System.Management.Automation.ErrorCategory] $Category = [System.Management.Automation.ErrorCategory]::NotSpecified
    )

    $inner = $Exception
    while ($inner -isnot [BitsWatch.Native.BitsWatchException] -and $null -ne $inner.InnerException) {
        $inner = $inner.InnerException
    }
    if (-not $PSBoundParameters.ContainsKey('Category')) {
        $Category = Get-BwErrorCategory (Get-BwHResult -Exception $Exception)
    }
    [System.Management.Automation.ErrorRecord]::new(
        $inner, $ErrorId, $Category, $TargetObject)
}
