#!/usr/bin/env bash
# tests/bench/fleet.sh - the fleet benchmark (tests/bench/fleet.ps1) on 20
# loopback SSH machines and one whose session breaks (machines.sh).
#   bash tests/bench/fleet.sh SIM_LIBRARY [REPEAT]
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${BW_TOOLS:-$ROOT/build/tools}
OUT=$ROOT/build/bench-fleet
SIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
bash "$ROOT/tests/ps/install-pwsh.sh" "$TOOLS" >/dev/null || exit 1
# The module's compiled assembly, as the package ships it (machines.sh copies
# it beside each machine's module; the local copy loads it too).
BW_TEST_ASSEMBLY=$(BW_NUGET_PACKAGES=$TOOLS/nuget-packages bash "$ROOT/tests/ps/build-assembly.sh") || exit 1
export BW_TEST_ASSEMBLY
trap 'bash "$ROOT/tests/remoting/machines.sh" stop "$OUT/machines"' EXIT
specs=()
for i in $(seq 20); do specs+=("web$i:healthy"); done
bash "$ROOT/tests/remoting/machines.sh" start "$OUT/machines" "$TOOLS/pwsh/pwsh" "$SIM" "${specs[@]}" broken:healthy || exit 1
mkdir -p "$OUT/pester"; : >"$OUT/pester/scenario.txt"; rm -rf "$OUT/pester/module"
BITSWATCH_NATIVE_LIBRARY=$SIM BITSWATCH_SIM_SCENARIO=$OUT/pester/scenario.txt BW_PESTER_OUT=$OUT/pester \
BW_FLEET_DIR=$OUT/machines NO_COLOR=1 TERM=dumb POWERSHELL_TELEMETRY_OPTOUT=1 \
  "$TOOLS/pwsh/pwsh" -NoLogo -NoProfile -NonInteractive -File "$HERE/fleet.ps1" -Repeat "${2:-10}"
