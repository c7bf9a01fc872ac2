#!/usr/bin/env bash
# tests/winps/build-host.sh OUTROOT [RID...]
#
# Publishes tests/winps/host (PowerShell 7.6 hosted in a small .NET 10 program)
# self-contained for Windows (win-x64, win-x86 by default) on Linux, into
# OUTROOT/host-<key>/<rid>/bwpshost.exe. The key names the pinned versions;
# a folder with the same key is reused (its .bw-ready stamp). NuGet packages go
# to OUTROOT/nuget (NUGET_PACKAGES) so a warm machine restores offline.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTROOT=${1:?usage: build-host.sh OUTROOT [RID...]}
shift
mkdir -p "$OUTROOT"
OUTROOT=$(cd "$OUTROOT" && pwd)   # NuGet wants absolute paths
RIDS=("$@")
[ ${#RIDS[@]} -gt 0 ] || RIDS=(win-x64 win-x86)

# Pinned: Microsoft.PowerShell.SDK and the Windows runtime/apphost packs
# (BwPsHost.csproj says the same); the sources' hash covers everything else.
PS_SDK=7.6.9
RUNTIME=10.0.12
SRC_HASH=$(cat "$HERE/host/BwPsHost.csproj" "$HERE/host/Program.cs" | sha256sum | cut -c1-12)
KEY=ps$PS_SDK-net$RUNTIME-$SRC_HASH
grep -q "Version=\"$PS_SDK\"" "$HERE/host/BwPsHost.csproj" &&
  grep -q "<RuntimeFrameworkVersion>$RUNTIME<" "$HERE/host/BwPsHost.csproj" ||
  { echo "build-host.sh: the pins here and in BwPsHost.csproj differ"; exit 1; }

export NUGET_PACKAGES=$OUTROOT/nuget
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
OUT=$OUTROOT/host-$KEY
for rid in "${RIDS[@]}"; do
  if [ -f "$OUT/$rid/.bw-ready" ]; then
    echo "reusing $OUT/$rid"
    continue
  fi
  # A private copy of the project: obj/ and bin/ never land in the source tree.
  work=$OUTROOT/src-$KEY
  rm -rf "$work" "$OUT/$rid"
  mkdir -p "$work" "$OUT"
  cp "$HERE/host/BwPsHost.csproj" "$HERE/host/Program.cs" "$work/"
  echo "publishing bwpshost for $rid (PowerShell SDK $PS_SDK, .NET $RUNTIME)"
  dotnet publish "$work/BwPsHost.csproj" -c Release -r "$rid" --self-contained \
    -o "$OUT/$rid" -p:RuntimeFrameworkVersion=$RUNTIME -nologo
  [ -f "$OUT/$rid/bwpshost.exe" ] || { echo "no bwpshost.exe for $rid"; exit 1; }
  # A RID-specific publish leaves the SDK's built-in modules (Utility:
  # Add-Type, Management, Security...) under runtimes/win/lib/net10.0/Modules,
  # where PowerShell does not look: $PSHOME/Modules is where it does.
  mods=$OUT/$rid/runtimes/win/lib/net10.0/Modules
  [ -d "$mods" ] || { echo "no $mods in the publish output"; exit 1; }
  cp -r "$mods" "$OUT/$rid/Modules"
  touch "$OUT/$rid/.bw-ready"
done
# The folder of this key, for the caller.
echo "$OUT" > "$OUTROOT/host.current"
