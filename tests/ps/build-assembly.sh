#!/usr/bin/env bash
# tests/ps/build-assembly.sh - builds the module's compiled assembly,
# BitsWatch.Native.dll, from ps/src/BitsWatch.Native.csproj (Release) as
# packaging/package.sh does, unsigned, and prints its path (the only line on
# stdout; the build's log goes to OUT/build.log).
#
#   bash tests/ps/build-assembly.sh [OUT [PS_DIR]]
#
# OUT: default build/ps-assembly; PS_DIR: the module source whose
# src/BitsWatch.Native.csproj to build (default ps/; tests/ps/mutate.sh
# builds its mutated copies).
#
# The Pester suite's package-like module copy and tests/bench/import_time.sh
# take the DLL from here. Packages (pinned in the .csproj) are restored into
# BW_NUGET_PACKAGES (default build/tools/nuget-packages). An unchanged source
# is not built again (dotnet's own incremental build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$ROOT/build/ps-assembly}
PS_DIR=${2:-$ROOT/ps}
PKGS=${BW_NUGET_PACKAGES:-$ROOT/build/tools/nuget-packages}
mkdir -p "$OUT" "$PKGS"
OUT=$(cd "$OUT" && pwd)
VERSION=$(sed -n 's/^project([^)]*VERSION \([0-9][0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt" | head -n 1)
if ! dotnet build "$PS_DIR/src/BitsWatch.Native.csproj" -c Release -nologo -v q \
    --artifacts-path "$OUT" --packages "$PKGS" "-p:Version=$VERSION" >"$OUT/build.log" 2>&1; then
  grep -E ': (error|warning) ' "$OUT/build.log" | sort -u | head -n 40 >&2 || tail -n 40 "$OUT/build.log" >&2
  echo "build-assembly: dotnet build of $PS_DIR/src/BitsWatch.Native.csproj failed ($OUT/build.log)" >&2
  exit 1
fi
dll=$OUT/bin/BitsWatch.Native/release/BitsWatch.Native.dll
[ -f "$dll" ] || { echo "build-assembly: no $dll after the build" >&2; exit 1; }
echo "$dll"
