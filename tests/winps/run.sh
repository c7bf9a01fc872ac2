#!/usr/bin/env bash
# tests/winps/run.sh: the BitsWatch module in PowerShell for Windows, under
# Wine, against Wine's real BITS.
#
#   tests/winps/run.sh --out DIR --x64 BUILD [--x86 BUILD] [--wine10 ROOT]
#
#   1. publishes bwpshost (tests/winps/host: PowerShell 7.6.9 in a self-contained
#      .NET 10 program) for win-x64 (and win-x86), cached under DIR/hosts;
#   2. lays the module out as packaging/package.sh lays out the zip
#      (BitsWatch/BitsWatch.psd1 ... bin/win-x64/bitswatch.dll ...) from the
#      x64 and x86 build folders, checked against the manifest's FileList;
#   3. for each configuration, in a Wine prefix and wineserver of its own:
#        x64 on Debian 12's Wine 8 (the machine's wine),
#        x86 on Debian 13's Wine 10 (tests/wine10, when --wine10 and --x86),
#      runs module-tests.ps1 in the PowerShell console host (under a pty:
#      the console host needs a console, which Wine gives only to a terminal)
#      and checks its results file.
# Uses BW_TEST_HTTP when set (tests/run.sh's loopback server), else starts
# tests/integration/http_server.py itself. Prints "winps: N passed, N failed"
# and exits non-zero on any failure.
# Knob: BW_WINPS_CONFIGS (default "x64-wine8 x86-wine10"; tests/run.sh runs
# each as a stage of its own). A configuration asked for that cannot run (no
# --x86 build, no --wine10 root) is a failure: whether the machine can run
# 32-bit programs is decided by the caller (tests/tools/probe-i386.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TREE=$(cd "$HERE/../.." && pwd)
OUT= X64= X86= WINE10=
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    --x64) X64=$2; shift 2 ;;
    --x86) X86=$2; shift 2 ;;
    --wine10) WINE10=$2; shift 2 ;;
    *) echo "usage: run.sh --out DIR --x64 BUILD [--x86 BUILD] [--wine10 ROOT]"; exit 2 ;;
  esac
done
[ -n "$OUT" ] && [ -n "$X64" ] || { echo "usage: run.sh --out DIR --x64 BUILD [--x86 BUILD] [--wine10 ROOT]"; exit 2; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
X64=$(cd "$X64" && pwd)
[ -z "$X86" ] || X86=$(cd "$X86" && pwd)
[ -z "$WINE10" ] || WINE10=$(cd "$WINE10" && pwd)
LOGS=$OUT/logs
mkdir -p "$LOGS"
CONFIGS=${BW_WINPS_CONFIGS:-x64-wine8 x86-wine10}
export WINEDEBUG=-all NO_COLOR=1
# .NET's W^X (executable memory mapped twice) kills the runtime under Wine 8:
# "Internal CLR error. (0x80131506)" in DynamicResolver+DestroyScout.Finalize,
# as soon as a script has run a little (README.md here).
export DOTNET_EnableWriteXorExecute=${DOTNET_EnableWriteXorExecute:-0}
unset DISPLAY WAYLAND_DISPLAY

PASSED=0 FAILED=0
result() {   # result pass|fail TEXT
  echo "winps $2"
  if [ "$1" = pass ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
}

# Z:\ path of a Unix path (Wine maps / to Z:; the Wine 10 root sees the tree
# at the same path).
winpath() { local p=${1//\//\\}; printf 'Z:%s' "$p"; }

# ------------------------------------------------------------ 1. hosts
rids=(win-x64)
case " $CONFIGS " in *" x86-"*) [ -n "$X86" ] && rids+=(win-x86) ;; esac
if ! bash "$HERE/build-host.sh" "$OUT/hosts" "${rids[@]}" >"$LOGS/host.log" 2>&1; then
  echo "---- build-host.sh failed; last lines of $LOGS/host.log ----"
  tail -n 40 "$LOGS/host.log"
  exit 1
fi
HOSTS=$(cat "$OUT/hosts/host.current")
echo "hosts: $(basename "$HOSTS") (${rids[*]})"

# ------------------------------------------------------------ 2. module layout
# As packaging/package.sh lays out dist/BitsWatch (unstripped binaries of the
# test builds instead of its Release ones).
MOD=$OUT/module/BitsWatch
layout() {
  local arch b f entry missing=0
  rm -rf "$OUT/module"
  mkdir -p "$MOD/include"
  # ps/'s module files as package.sh lays them out (the .psm1 with
  # ps/Private/ and ps/Public/ joined in).
  python3 "$TREE/packaging/module_files.py" "$TREE/ps" "$MOD" || return 1
  # The compiled BitsWatch.Native.dll, built as package.sh builds it (unsigned).
  local asm
  asm=$(bash "$TREE/tests/ps/build-assembly.sh" "$OUT/assembly") || return 1
  install -m 0644 "$asm" "$MOD/BitsWatch.Native.dll"
  for arch in x64 x86; do
    b=$X64
    [ $arch = x86 ] && b=$X86
    [ -n "$b" ] || continue
    mkdir -p "$MOD/bin/win-$arch" "$MOD/lib/win-$arch"
    for f in bitswatch.dll bitswatch.exe; do
      [ -f "$b/bin/$f" ] || { echo "layout: no $b/bin/$f"; return 1; }
      install -m 0644 "$b/bin/$f" "$MOD/bin/win-$arch/$f"
    done
    install -m 0644 "$b/dll/libbitswatch.dll.a" "$MOD/lib/win-$arch/libbitswatch.dll.a"
  done
  install -m 0644 "$TREE/dll/include/bitswatch.h" "$TREE/dll/include/bitswatch_compat.h" \
    "$X64/dll/include/bitswatch_version.h" "$MOD/include/"
  install -m 0644 "$TREE/README.md" "$MOD/README.md"
  [ -f "$TREE/LICENSE" ] && install -m 0644 "$TREE/LICENSE" "$MOD/LICENSE"
  # Every file the manifest lists is where it says (the x86 ones only when
  # there is an x86 build; LICENSE only when the repository has one).
  while IFS= read -r entry; do
    entry=${entry//\\//}
    case $entry in
      */win-x86/*) [ -n "$X86" ] || continue ;;
      LICENSE) [ -f "$TREE/LICENSE" ] || continue ;;
    esac
    [ -f "$MOD/$entry" ] || { echo "layout: the manifest lists $entry, which is not there"; missing=1; }
  done < <(sed -n '/FileList/,/)/p' "$MOD/BitsWatch.psd1" | grep -o "'[^']*'" | tr -d "'")
  return $missing
}
layout || exit 1

# ------------------------------------------------------------ HTTP server
HTTP_PID=
SERVER_STOP=()
cleanup() {
  local s
  for s in "${SERVER_STOP[@]}"; do eval "$s" >/dev/null 2>&1 || true; done
  if [ -n "$HTTP_PID" ]; then kill "$HTTP_PID" 2>/dev/null || true; wait "$HTTP_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
if [ -z "${BW_TEST_HTTP:-}" ]; then
  rm -f "$OUT/http.port"
  python3 "$TREE/tests/integration/http_server.py" --port-file "$OUT/http.port" >"$LOGS/http.log" 2>&1 &
  HTTP_PID=$!
  for _ in $(seq 100); do [ -s "$OUT/http.port" ] && break; sleep 0.1; done
  [ -s "$OUT/http.port" ] || { echo "the HTTP server did not start"; cat "$LOGS/http.log"; exit 1; }
  export BW_TEST_HTTP=http://127.0.0.1:$(cat "$OUT/http.port")
fi

# ------------------------------------------------------------ 3. runs
# run_config NAME ARCH: WINE (array) and the prefix variables are set by the caller.
run_config() {
  local name=$1 arch=$2 build host results work log rc=0 cmd line fails
  build=$X64
  [ "$arch" = X86 ] && build=$X86
  host=$HOSTS/win-${arch,,}/bwpshost.exe
  results=$OUT/results-$name.txt
  work=$OUT/work-$name
  log=$LOGS/$name.log
  rm -rf "$work" "$results"
  mkdir -p "$work"
  : >"$log"
  # Wine's system processes first, their output in the log (wine-bits.md).
  "${WINE[@]}" wineboot >>"$log" 2>&1 || true
  cmd=("${WINE[@]}" "$host" -NoProfile -NonInteractive -ExecutionPolicy Bypass
       -File "$(winpath "$HERE/module-tests.ps1")"
       -ModulePath "$(winpath "$MOD/BitsWatch.psd1")"
       -BwJob "$(winpath "$build/bin/bwjob.exe")"
       -Http "$BW_TEST_HTTP" -Results "$(winpath "$results")"
       -Work "$(winpath "$work")" -Arch "$arch")
  echo "$name: $("${WINE[@]}" --version 2>/dev/null | tail -n 1), bwpshost ${arch,,}"
  # script(1) gives the console host a terminal; -e: its exit code.
  timeout -k 15 600 script -qefc "$(printf '%q ' "${cmd[@]}")" "$LOGS/$name.typescript" \
    </dev/null >>"$log" 2>&1 || rc=$?
  if [ ! -s "$results" ]; then
    result fail "$name: no results (exit $rc); last lines of $log:"
    tail -n 30 "$log" | sed 's/^/    /'
    return
  fi
  while IFS= read -r line; do
    case $line in
      PASS*) result pass "$name: $line" ;;
      FAIL*) result fail "$name: $line" ;;
    esac
  done <"$results"
  if ! grep -qx DONE "$results"; then
    result fail "$name: the script stopped early (exit $rc); last lines of $log:"
    tail -n 30 "$log" | sed 's/^/    /'
  elif fails=$(grep -c '^FAIL' "$results"); [ "$rc" != "$fails" ]; then
    result fail "$name: exit $rc, but $fails failed cases"
  fi
}

for config in $CONFIGS; do
  case $config in
    x64-wine8)
      export WINEPREFIX=$OUT/prefix-wine8
      if [ ! -f "$WINEPREFIX/.bw-ready" ]; then
        rm -rf "$WINEPREFIX"
        { WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i && wineserver -w; } >"$LOGS/prefix-wine8.log" 2>&1 ||
          { result fail "$config: the Wine 8 prefix was not made (see $LOGS/prefix-wine8.log)"; continue; }
        touch "$WINEPREFIX/.bw-ready"
      fi
      # Jobs live as long as the wineserver: one for the whole run.
      wineserver -p >>"$LOGS/prefix-wine8.log" 2>&1 || true
      SERVER_STOP+=("WINEPREFIX='$WINEPREFIX' wineserver -k")
      WINE=(wine)
      run_config "$config" X64
      WINEPREFIX=$WINEPREFIX wineserver -k >/dev/null 2>&1 || true
      unset WINEPREFIX
      ;;
    x86-wine10|x64-wine10)
      if [ -z "$WINE10" ]; then
        result fail "$config: asked for, but no --wine10 root was given"
        continue
      fi
      if [ "$config" = x86-wine10 ] && [ -z "$X86" ]; then
        result fail "$config: asked for, but no --x86 build was given"
        continue
      fi
      export BW_WINE10_ROOT=$WINE10 BW_WINE10_PREFIX=$OUT/prefix-wine10
      WINE=("$TREE/tests/wine10/wine")
      "${WINE[@]}" --cmd wineserver -p >>"$LOGS/prefix-wine10.log" 2>&1 ||
        { result fail "$config: Wine 10 did not start (see $LOGS/prefix-wine10.log)"; continue; }
      SERVER_STOP+=("BW_WINE10_ROOT='$WINE10' BW_WINE10_PREFIX='$BW_WINE10_PREFIX' '$TREE/tests/wine10/wine' --cmd wineserver -k")
      arch=X86
      [ "$config" = x64-wine10 ] && arch=X64
      run_config "$config" "$arch"
      "${WINE[@]}" --cmd wineserver -k >/dev/null 2>&1 || true
      ;;
    *) echo "winps: unknown configuration $config"; FAILED=$((FAILED + 1)) ;;
  esac
done

echo "winps: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
