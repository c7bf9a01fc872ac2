function Initialize-BwNative {
    # Finds the native library (BITSWATCH_NATIVE_LIBRARY, else
    # bin/win-<arch>/bitswatch.dll), loads it by full path, loads the P/Invoke
    # declarations (BitsWatch.Native.dll, or src/*.cs compiled; once per
    # session), checks the library's version.
    [CmdletBinding()]
    param()

    # All or nothing: the first failure of any step ends the function. With
    # the caller's preference (Continue by default) a failed statement only
    # wrote an error and the next one ran: a failed Add-Type was followed by
    # the version check failing to find its types (so not throwing), and the
    # import reported success with commands that cannot work. The same would
    # hold for a step failing in one of several runspaces importing at once.
    $ErrorActionPreference = 'Stop'

    $override = $env:BITSWATCH_NATIVE_LIBRARY
    if ($override) {
        # Tests (the Linux simulator library) and side-by-side installs.
        if (-not [System.IO.Path]::IsPathRooted($override) -or -not (Test-Path -LiteralPath $override -PathType Leaf)) {
            throw ("BitsWatch: BITSWATCH_NATIVE_LIBRARY is '{0}', which is not the full path of an existing file." -f $override)
        }
        $dll = $override
    }
    else {
        $isWin = $true
        if ($PSVersionTable.PSEdition -eq 'Core') {
            $isWin = [bool](Get-Variable -Name IsWindows -ValueOnly -ErrorAction SilentlyContinue)
        }
        if (-not $isWin) {
            throw 'BitsWatch needs Windows: BITS (the Background Intelligent Transfer Service) exists only there.'
        }
        $folder = Get-BwNativeFolder
        $dll = Join-Path -Path $script:ModuleRoot -ChildPath (Join-Path -Path 'bin' -ChildPath (Join-Path -Path $folder -ChildPath 'bitswatch.dll'))
        if (-not (Test-Path -LiteralPath $dll -PathType Leaf)) {
            throw ("BitsWatch: '{0}' is missing. Reinstall the module: the folder must hold bin\{1}\bitswatch.dll." -f $dll, $folder)
        }
    }

    $moduleVersion = Get-BwManifestVersion
    # The P/Invoke declarations, loader, model and parameter attribute: the
    # package's compiled, signed assembly (fast, and what WDAC/AppLocker can
    # allow by its publisher), or from the source tree, where there is none,
    # the same source files compiled by Add-Type (seconds). The hash tells a
    # later import whether the session's types are its own.
    $assembly = Join-Path -Path $script:ModuleRoot -ChildPath 'BitsWatch.Native.dll'
    if (Test-Path -LiteralPath $assembly -PathType Leaf) {
        $source = $null
        $hashed = @($assembly)
    }
    else {
        $assembly = $null
        $src = Join-Path -Path $script:ModuleRoot -ChildPath 'src'
        $source = @('Interop.cs', 'Loader.cs', 'Model.cs', 'Job.cs', 'Queue.cs', 'Attributes.cs') |
            ForEach-Object { Join-Path -Path $src -ChildPath $_ }
        $hashed = $source
    }
    $sourceHash = (Get-FileHash -LiteralPath $hashed -Algorithm SHA256 | ForEach-Object Hash) -join ''

    # One Add-Type and one load per process, also when several runspaces
    # import at the same moment: they share this (interned) lock object.
    $lock = [string]::Intern('BitsWatch.Native: Add-Type and load')
    [System.Threading.Monitor]::Enter($lock)
    try {
        if (-not ('BitsWatch.Native.Job' -as [type])) {
            if ($assembly) {
                Add-Type -LiteralPath $assembly -ErrorAction Stop
            }
            else {
                Add-Type -LiteralPath $source -ErrorAction Stop
            }
            [BitsWatch.Native.Loader]::SourceHash = $sourceHash
        }
        elseif ([BitsWatch.Native.Loader]::SourceHash -ne $sourceHash) {
            # Import-Module -Force of another release: .NET cannot unload the
            # types (nor the library) the session already uses.
            throw ("BitsWatch {0}: this session already uses the native types of another BitsWatch release, which cannot be replaced. Start a new session to use BitsWatch {0}." -f $moduleVersion)
        }

        $loadedPath = [BitsWatch.Native.Loader]::LoadedPath
        if ($null -eq $loadedPath) {
            if ($override) {
                $loaded = [BitsWatch.Native.Loader]::LoadOverride($dll)
            }
            else {
                $loaded = [BitsWatch.Native.Loader]::Load($dll)
            }
            if ($loaded -eq [IntPtr]::Zero) {
                throw ("BitsWatch: cannot load '{0}'." -f $dll)
            }
        }
        elseif ($loadedPath -ne $dll) {
            # Another copy of the module loaded its library first; it is the
            # one every call goes to (the version check below decides).
            Write-Verbose ("BitsWatch: this session already uses '{0}'; '{1}' is not loaded." -f $loadedPath, $dll)
            $dll = $loadedPath
        }
    }
    finally {
        [System.Threading.Monitor]::Exit($lock)
    }

    $dllVersion = [BitsWatch.Native.Job]::Version
    $expected = ([uint32]$moduleVersion.Major -shl 16) -bor ([uint32]$moduleVersion.Minor -shl 8) -bor [uint32][math]::Max(0, $moduleVersion.Build)
    if ($dllVersion -ne $expected) {
        throw ("BitsWatch: '{0}' is version {1}, the module is {2}. Reinstall the module so both come from one release, then start a new session." -f $dll, [BitsWatch.Native.Loader]::VersionText($dllVersion), $moduleVersion)
    }
}
