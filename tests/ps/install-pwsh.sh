#!/usr/bin/env bash
# tests/ps/install-pwsh.sh - installs the pinned PowerShell (pwsh) and Pester
# under build/tools, once; a second run only checks the versions.
#
#   bash tests/ps/install-pwsh.sh [TOOLS_DIR]      (default build/tools)
#
# Afterwards:
#   TOOLS_DIR/pwsh/pwsh                           PowerShell 7.6.9 (the NuGet dotnet tool)
#   TOOLS_DIR/Modules/Pester/<version>/           Pester, out of its NuGet package
# Put TOOLS_DIR/Modules first in PSModulePath to use that Pester (run-pester.sh
# does). Needs the dotnet SDK and the NuGet feed the machine is set up with.
# Knobs: BW_PWSH_VERSION, BW_PESTER_VERSION (the pins below).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${1:-$ROOT/build/tools}
PWSH_VERSION=${BW_PWSH_VERSION:-7.6.9}
# Pester 5.7.1: the 5.x line the suite is written for (6.x changes the
# configuration object and drops some Should forms); runs on PowerShell 7.6.
PESTER_VERSION=${BW_PESTER_VERSION:-5.7.1}

mkdir -p "$TOOLS"
TOOLS=$(cd "$TOOLS" && pwd)
PWSH=$TOOLS/pwsh/pwsh

# ---- pwsh
pwsh_version() {
  [ -x "$PWSH" ] || return 1
  "$PWSH" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null
}

have=$(pwsh_version || true)
if [ "$have" = "$PWSH_VERSION" ]; then
  echo "pwsh $PWSH_VERSION: present"
else
  if [ -n "$have" ]; then
    echo "pwsh $have found, $PWSH_VERSION wanted: reinstalling"
    dotnet tool uninstall PowerShell --tool-path "$TOOLS/pwsh" >/dev/null 2>&1 || true
    rm -rf "$TOOLS/pwsh"
  fi
  echo "installing pwsh $PWSH_VERSION (dotnet tool) into $TOOLS/pwsh"
  dotnet tool install PowerShell --version "$PWSH_VERSION" --tool-path "$TOOLS/pwsh"
  have=$(pwsh_version || true)
  if [ "$have" != "$PWSH_VERSION" ]; then
    echo "FAIL: $PWSH reports version '$have', not $PWSH_VERSION" >&2
    exit 1
  fi
fi

# ---- Pester
# The package is not a library for any target framework: a throwaway project
# fetches it with PackageDownload into a package folder of our own, and the
# module folder inside it is copied to Modules/Pester/<version>.
DEST=$TOOLS/Modules/Pester/$PESTER_VERSION
if [ -f "$DEST/Pester.psd1" ] && [ -f "$DEST/.bw-installed" ]; then
  echo "Pester $PESTER_VERSION: present"
else
  echo "installing Pester $PESTER_VERSION into $DEST"
  proj=$TOOLS/pester-fetch
  pkgs=$TOOLS/nuget-packages
  rm -rf "$proj"
  mkdir -p "$proj" "$pkgs"
  cat >"$proj/pester-fetch.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Pester" Version="[$PESTER_VERSION]" />
  </ItemGroup>
</Project>
EOF
  dotnet restore "$proj/pester-fetch.csproj" --packages "$pkgs" -v quiet
  pkg=$pkgs/pester/$PESTER_VERSION
  # The module folder is where Pester.psd1 is (the package root or tools/).
  manifest=$(find "$pkg" -maxdepth 3 -name Pester.psd1 -print | sort | head -n 1)
  if [ -z "$manifest" ]; then
    echo "FAIL: no Pester.psd1 in $pkg" >&2
    exit 1
  fi
  rm -rf "$DEST"
  mkdir -p "$DEST"
  cp -r "$(dirname "$manifest")/." "$DEST/"
  rm -rf "$proj"
  touch "$DEST/.bw-installed"
fi

# The Pester that pwsh imports from there must be the pinned one.
got=$(PSModulePath="$TOOLS/Modules" "$PWSH" -NoLogo -NoProfile -NonInteractive -Command \
  '$m = Import-Module Pester -RequiredVersion '"$PESTER_VERSION"' -PassThru -ErrorAction Stop; $m.Version.ToString()' 2>&1 || true)
if [ "$got" != "$PESTER_VERSION" ]; then
  echo "FAIL: pwsh cannot import Pester $PESTER_VERSION from $TOOLS/Modules: $got" >&2
  exit 1
fi
echo "pwsh $PWSH_VERSION and Pester $PESTER_VERSION ready in $TOOLS"
