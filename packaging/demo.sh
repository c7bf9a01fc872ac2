#!/usr/bin/env bash
# packaging/demo.sh: see BitsWatch watch a real BITS download, live.
#
# On a Debian machine (as root, or with the packages below installed) it:
#   1. installs what it needs (mingw-w64, Wine, CMake, Ninja, Python 3),
#   2. builds the x64 bitswatch.dll, bitswatch.exe and the bwjob tool in
#      build/demo,
#   3. makes (once) its own Wine prefix, build/demo/wine-prefix, and starts
#      the loopback HTTP server,
#   4. has bwjob (another process, raw COM) create a real BITS download of a
#      2 MiB file served at 400 KiB/s, about five seconds of transfer,
#   5. runs `bitswatch.exe watch --complete <guid>`: the job goes
#      Queued/Connecting -> Transferring -> Transferred -> Acknowledged live,
#   6. checks the downloaded file (size, and byte i == i % 251) and prints
#      "demo OK".
# It stops what it started on the way out and exits non-zero if any step
# failed. Running it again reuses the packages, the build and the prefix.
# Its own prefix and build tree keep it from disturbing tests/run.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DEMO=$ROOT/build/demo
LOG=$DEMO/demo.log
SIZE=2097152        # bytes to download
RATE=409600         # bytes per second the server sends them at
TRIPLE=x86_64-w64-mingw32
mkdir -p "$DEMO"
: > "$LOG"
exec </dev/null
export DEBIAN_FRONTEND=noninteractive

say() { printf '\n== %s\n' "$*"; }
die() {
  echo "demo FAILED: $*" >&2
  if [ -s "$LOG" ]; then
    echo "---- last lines of $LOG ----" >&2
    tail -n 40 "$LOG" >&2
  fi
  exit 1
}
# quietly CMD...: output to the log; its tail shows when the demo fails.
quietly() { "$@" >>"$LOG" 2>&1; }

# ------------------------------------------------------------ 1. packages
PACKAGES=(mingw-w64 wine64 wine cmake ninja-build python3)
missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [ "${status:0:2}" = ii ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  [ "$(id -u)" = 0 ] || die "run as root, or first: apt-get install --no-install-recommends ${missing[*]}"
  quietly apt-get update || die "apt-get update failed"
  quietly apt-get install -y --no-install-recommends "${missing[@]}" || die "apt-get install failed"
fi

# ------------------------------------------------------------ 2. build
say "building bitswatch.dll, bitswatch.exe and bwjob.exe (x64) in build/demo"
quietly cmake -S . -B "$DEMO/x64" -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$TRIPLE.cmake" \
  -DBUILD_TESTING=OFF || die "cmake configure failed"
quietly cmake --build "$DEMO/x64" --target bitswatch bitswatch_cli || die "build failed"
BIN=$DEMO/x64/bin
# bwjob belongs to the test tools; use the build's target when this
# configuration has one, otherwise compile the single file the way
# tests/tools/CMakeLists.txt does.
if cmake --build "$DEMO/x64" --target help 2>/dev/null | grep -q '^bwjob'; then
  quietly cmake --build "$DEMO/x64" --target bwjob || die "building bwjob failed"
elif [ ! -f "$BIN/bwjob.exe" ] || [ tests/tools/bwjob.c -nt "$BIN/bwjob.exe" ]; then
  quietly "$TRIPLE-gcc" -std=c11 -O2 -Wall -municode -DUNICODE -D_UNICODE \
    -static -static-libgcc tests/tools/bwjob.c -o "$BIN/bwjob.exe" -lole32 -luuid ||
    die "building bwjob failed"
fi
for f in bitswatch.dll bitswatch.exe bwjob.exe; do
  [ -f "$BIN/$f" ] || die "the build made no $f"
done

# ------------------------------------------------------------ 3. Wine + HTTP
export WINEPREFIX=$DEMO/wine-prefix
export WINEDEBUG=-all
unset DISPLAY WAYLAND_DISPLAY        # headless: no window may open
HTTP_PID=
WINE_STARTED=0

cleanup() {
  local rc=$?
  if [ -n "$HTTP_PID" ]; then
    kill "$HTTP_PID" 2>/dev/null || true
    wait "$HTTP_PID" 2>/dev/null || true
  fi
  # The demo's own prefix: stopping its wineserver touches nothing else.
  if [ "$WINE_STARTED" = 1 ]; then
    wineserver -k 2>/dev/null || true
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -f "$WINEPREFIX/.bw-ready" ]; then
  say "making a Wine prefix (once, about 10 s)"
  rm -rf "$WINEPREFIX"
  WINE_STARTED=1
  # mscoree/mshtml off: no Mono/Gecko install prompts. wineserver -w: without
  # it the first BITS activation fails (shared/wine-bits.md).
  quietly env WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i || die "wineboot failed"
  quietly wineserver -w || die "wineserver -w failed"
  touch "$WINEPREFIX/.bw-ready"
fi
# BITS jobs live in the service, which lives as long as the wineserver: keep
# it up while bwjob and bitswatch, two processes, share the job.
WINE_STARTED=1
wineserver -p >>"$LOG" 2>&1 || true

PORTFILE=$DEMO/http.port
rm -f "$PORTFILE"
python3 tests/integration/http_server.py --port-file "$PORTFILE" >>"$LOG" 2>&1 &
HTTP_PID=$!
for _ in $(seq 150); do
  [ -s "$PORTFILE" ] && break
  kill -0 "$HTTP_PID" 2>/dev/null || break
  sleep 0.1
done
[ -s "$PORTFILE" ] || die "the HTTP server did not start"
BASE="http://127.0.0.1:$(cat "$PORTFILE")"
URL="$BASE/slow/$SIZE?rate=$RATE&chunk=16384"

# ------------------------------------------------------------ 4. the job
# Wine's BITS transfers one job at a time. A short job queued first holds
# the demo job in Queued for a moment, so the watch below starts early enough
# to show it waiting and then connecting; it finishes by itself (no cancel of
# a moving job, which Wine 8 handles badly: shared/wine-bits.md).
OUT=$DEMO/download.bin
GATE_OUT=$DEMO/gate.bin
rm -f "$OUT" "$GATE_OUT"
WINOUTS=$(wine winepath -w "$OUT" "$GATE_OUT" 2>>"$LOG" | tr -d '\r') || die "winepath failed"
WINOUT=$(sed -n 1p <<<"$WINOUTS")
WINGATE=$(sed -n 2p <<<"$WINOUTS")
[ -n "$WINOUT" ] && [ -n "$WINGATE" ] || die "winepath gave no Windows paths for $OUT, $GATE_OUT"
GATE_URL="$BASE/slow/$((RATE * 3))?rate=$RATE&chunk=16384"
GATE=$(wine "$BIN/bwjob.exe" create "$GATE_URL" "$WINGATE" --name "BitsWatch demo: first in line" \
  2>>"$LOG" | tr -d '\r') || die "bwjob create (first job) failed"
say "creating a BITS job: $URL -> $WINOUT"
GUID=$(wine "$BIN/bwjob.exe" create "$URL" "$WINOUT" --name "BitsWatch demo" 2>>"$LOG" | tr -d '\r') ||
  die "bwjob create failed"
[[ $GUID =~ ^\{[0-9A-Fa-f-]{36}\}$ ]] || die "bwjob printed '$GUID', not a job GUID"
echo "job $GUID (queued behind $GATE)"

# ------------------------------------------------------------ 5. watch it
say "bitswatch.exe watch --complete $GUID"
rc=0
wine "$BIN/bitswatch.exe" watch --complete --timeout-sec 120 "$GUID" || rc=$?
[ $rc -eq 0 ] || die "bitswatch.exe exited with $rc"
# The first job is long transferred: acknowledge it so BITS removes its
# temporary file, then drop the file itself.
quietly wine "$BIN/bwjob.exe" complete "$GATE" || true
rm -f "$GATE_OUT"

# ------------------------------------------------------------ 6. check the file
say "checking $OUT"
python3 - "$OUT" "$SIZE" <<'EOF' || die "the downloaded file is not what the server sent"
import sys
path, size = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
if len(data) != size:
    sys.exit(f"{path}: {len(data)} bytes, expected {size}")
bad = next((i for i, b in enumerate(data) if b != i % 251), None)
if bad is not None:
    sys.exit(f"{path}: byte {bad} is {data[bad]}, expected {bad % 251}")
print(f"{size} bytes, every byte i == i % 251")
EOF

echo
echo "demo OK"
