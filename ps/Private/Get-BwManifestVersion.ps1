function Get-BwManifestVersion {
    # ModuleVersion of BitsWatch.psd1. While the .psm1 runs the module's own
    # Version is still 0.0, so the manifest is read.
    [CmdletBinding()]
    [OutputType([version])]
    param()

    $manifest = Join-Path -Path $script:ModuleRoot -ChildPath 'BitsWatch.psd1'
    $data = Import-PowerShellDataFile -LiteralPath $manifest
    return [version]$data.ModuleVersion
}
