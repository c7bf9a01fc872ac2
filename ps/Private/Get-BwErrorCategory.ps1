function Get-BwErrorCategory {
    # The ErrorCategory that says what an HRESULT means to a user.
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorCategory])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [int] $HResult
    )

    switch ($HResult) {
        ([BitsWatch.Native.Codes]::BG_E_NOT_FOUND) {
            return [System.Management.Automation.ErrorCategory]::ObjectNotFound
        }
        ([BitsWatch.Native.Codes]::E_ACCESSDENIED) {
            return [System.Management.Automation.ErrorCategory]::PermissionDenied
        }
        ([BitsWatch.Native.Codes]::E_INVALIDARG) {
            return [System.Management.Automation.ErrorCategory]::InvalidArgument
        }
        ([BitsWatch.Native.Codes]::E_HANDLE) {
            return [System.Management.Automation.ErrorCategory]::InvalidOperation
        }
        { $_ -eq $script:BG_E_INVALID_STATE } {
            return [System.Management.Automation.ErrorCategory]::InvalidOperation
        }
        { $script:ServiceDownCodes -contains $_ } {
            return [System.Management.Automation.ErrorCategory]::ResourceUnavailable
        }
    }
    return [System.Management.Automation.ErrorCategory]::NotSpecified
}
