#!/usr/bin/env bash
# tests/bench/import_time.sh: how long a cold `Import-Module BitsWatch` takes
# in PowerShell 7 (NOT part of the test command; the issue 18 target is a
# median under 1 s).
#
#   bash tests/bench/import_time.sh [--runs N] [--module DIR] [--no-assembly]
#                                   [--wine X64_BUILD]
#
# Each run is a new pwsh process (-NoProfile -NonInteractive) that imports the
# module once and prints the Stopwatch time of that Import-Module alone, then
# the process' wall time is taken too; a run of the same process without the
# import gives pwsh's own start-up for comparison. Prints every run and the
# medians.
#
# The module: DIR (a module folder), else a package-like copy of ps/ made
# under build/import-bench by packaging/module_files.py with, unless
# --no-assembly, the compiled BitsWatch.Native.dll that
# tests/ps/build-assembly.sh builds (what packaging/package.sh ships);
# --no-assembly measures the source path (Add-Type compiles the C#).
# The native library is the simulator (BITSWATCH_NATIVE_LIBRARY, default
# build/native-plain/bin/libbitswatch_sim.so); pwsh is build/tools/pwsh/pwsh
# (tests/ps/install-pwsh.sh), or BW_PWSH.
#
# --wine X64_BUILD: PowerShell 7.6 for Windows (tests/winps's bwpshost, built
# by tests/winps/build-host.sh under build/winps/hosts) under Wine, importing
# the module with X64_BUILD/bin/bitswatch.dll in bin/win-x64 (the real DLL:
# the import loads it and checks its version; no BITS call), in a Wine
# prefix of its own (build/import-bench-wine-prefix, kept; one wineserver for
# the runs). The script runs in a runspace of the host (--runspace); only the
# Import-Module time is taken there (Wine's start-up is not the module's).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=5
MODULE=
ASSEMBLY=1
WINE_BUILD=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --module) MODULE=$2; shift 2 ;;
    --no-assembly) ASSEMBLY=0; shift ;;
    --wine) WINE_BUILD=$(cd "$2" && pwd); shift 2 ;;
    *) echo "usage: $0 [--runs N] [--module DIR] [--no-assembly] [--wine X64_BUILD]" >&2; exit 2 ;;
  esac
done
PWSH=${BW_PWSH:-$ROOT/build/tools/pwsh/pwsh}
export BITSWATCH_NATIVE_LIBRARY=${BITSWATCH_NATIVE_LIBRARY:-$ROOT/build/native-plain/bin/libbitswatch_sim.so}
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off NO_COLOR=1 TERM=dumb
[ -x "$PWSH" ] || { echo "no pwsh at $PWSH (bash tests/ps/install-pwsh.sh)" >&2; exit 2; }
[ -f "$BITSWATCH_NATIVE_LIBRARY" ] || { echo "no library at $BITSWATCH_NATIVE_LIBRARY" >&2; exit 2; }

if [ -z "$MODULE" ]; then
  MODULE=$ROOT/build/import-bench/BitsWatch
  rm -rf "$MODULE"
  python3 "$ROOT/packaging/module_files.py" "$ROOT/ps" "$MODULE"
  if [ $ASSEMBLY = 1 ]; then
    dll=$(bash "$ROOT/tests/ps/build-assembly.sh")
    cp "$dll" "$MODULE/"
  fi
  if [ -n "$WINE_BUILD" ]; then
    mkdir -p "$MODULE/bin/win-x64"
    cp "$WINE_BUILD/bin/bitswatch.dll" "$MODULE/bin/win-x64/"
  fi
fi

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

if [ -n "$WINE_BUILD" ]; then
  HOSTEXE=$(cat "$ROOT/build/winps/hosts/host.current" 2>/dev/null)/win-x64/bwpshost.exe
  [ -f "$HOSTEXE" ] || { echo "no bwpshost.exe (bash tests/winps/build-host.sh build/winps/hosts win-x64)" >&2; exit 2; }
  export WINEPREFIX=$ROOT/build/import-bench-wine-prefix WINEDEBUG=-all DOTNET_EnableWriteXorExecute=0
  unset DISPLAY WAYLAND_DISPLAY BITSWATCH_NATIVE_LIBRARY
  # Wine's system processes get a log, not our pipes (they outlive the run).
  wlog=$ROOT/build/import-bench/wine.log
  if [ ! -f "$WINEPREFIX/.bw-ready" ]; then
    rm -rf "$WINEPREFIX"
    { WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i && wineserver -w; } >"$wlog" 2>&1 &&
      touch "$WINEPREFIX/.bw-ready"
  fi
  wineserver -p >>"$wlog" 2>&1 || true
  script=$ROOT/build/import-bench/import.ps1
  cat >"$script" <<EOF
\$sw = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module 'Z:${MODULE//\//\\}' -ErrorAction Stop
\$ms = [int]\$sw.Elapsed.TotalMilliseconds
\$null = Get-Command Get-BitsJobStatus
'ms=' + \$ms + ' loaded=' + [BitsWatch.Native.Loader]::LoadedPath + ' assembly=' + [BitsWatch.Native.Job].Assembly.Location
EOF
  echo "module: $MODULE; host: $HOSTEXE (Wine $(wine --version), runspace), runs: $RUNS"
  imports=()
  for i in $(seq 1 "$RUNS"); do
    wine "$HOSTEXE" --runspace "Z:${script//\//\\}" >"$script.out" 2>&1 </dev/null || true
    line=$(tr -d '\r' <"$script.out" | grep '^ms=' || true)
    [ -n "$line" ] || { echo "run $i: no result:"; tail -n 20 "$script.out"; wineserver -k; exit 1; }
    echo "run $i: $line"
    ms=${line#ms=}
    imports+=("${ms%% *}")
  done
  wineserver -k >/dev/null 2>&1 || true
  echo "median of $RUNS (Wine): Import-Module $(printf '%s\n' "${imports[@]}" | median) ms"
  exit 0
fi
echo "module: $MODULE ($(ls "$MODULE" | tr '\n' ' '))"
echo "pwsh: $("$PWSH" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()'), runs: $RUNS"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

imports=() walls=() bases=()
for i in $(seq 1 "$RUNS"); do
  t0=$(now_ms)
  "$PWSH" -NoLogo -NoProfile -NonInteractive -Command 'exit 0'
  t1=$(now_ms)
  bases+=($((t1 - t0)))
  t0=$(now_ms)
  ms=$("$PWSH" -NoLogo -NoProfile -NonInteractive -Command "
    \$sw = [System.Diagnostics.Stopwatch]::StartNew()
    Import-Module '$MODULE' -ErrorAction Stop
    [int]\$sw.Elapsed.TotalMilliseconds")
  t1=$(now_ms)
  imports+=("$ms")
  walls+=($((t1 - t0)))
  echo "run $i: Import-Module ${ms} ms; process with import $((t1 - t0)) ms, without ${bases[-1]} ms"
done
echo "median of $RUNS: Import-Module $(printf '%s\n' "${imports[@]}" | median) ms;" \
  "pwsh process with the import $(printf '%s\n' "${walls[@]}" | median) ms, without $(printf '%s\n' "${bases[@]}" | median) ms"
