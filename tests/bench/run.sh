#!/usr/bin/env bash
# tests/bench/run.sh: the BitsWatch benchmarks (NOT part of the test command).
#
# Builds what it needs (build/bench-native: the core on the counting fake
# backend; build/bench-x64: bitswatch.dll and bench_bits.exe, both Release),
# makes its own Wine prefix (build/bench-wine-prefix) with a fresh wineserver
# (so BITS holds no jobs from an earlier run), starts the loopback HTTP server,
# runs bench_fake natively and bench_bits under Wine against Wine's real BITS,
# stops what it started, and prints a Markdown table that it also writes to
# tests/bench/results.md (with the date, the machine and Wine's version).
#
# Exit: 0 when every figure met its target, 1 when one missed it, 2 when the
# benchmarks could not run.
#
# Knobs (environment): BW_JOBS (build parallelism, default nproc);
# BW_BENCH_WINEPREFIX (default build/bench-wine-prefix);
# BW_BENCH_POLLS (2000 per job, poll cost), BW_BENCH_TRANSITIONS (24),
# BW_BENCH_SCALE_MAX (1000 jobs), BW_BENCH_SCALE_POLLS (2000 per N),
# BW_BENCH_MEM_POLLS (100000 under Wine), BW_BENCH_NATIVE_MEM_POLLS (1000000),
# BW_BENCH_ONLY (e.g. "12": only those Wine figures, for development),
# BW_BENCH_RESULTS (default tests/bench/results.md).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BUILD=$ROOT/build
LOGS=$BUILD/bench-logs
RESULTS=${BW_BENCH_RESULTS:-$ROOT/tests/bench/results.md}
JOBS=${BW_JOBS:-$(nproc)}
TRIPLE=x86_64-w64-mingw32
DEPS=$BUILD/deps/$TRIPLE
mkdir -p "$LOGS"
exec </dev/null

die() { echo "bench: $*" >&2; exit 2; }

# ---------------------------------------------------------------- tools
missing=()
for tool in cmake ninja gcc x86_64-w64-mingw32-gcc wine wineserver wineboot python3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] ||
  die "missing: ${missing[*]} (tests/run.sh installs every package the build needs)"

# ---------------------------------------------------------------- builds
if [ ! -f "$DEPS/.bw-deps-stamp" ]; then
  echo "==> deps for $TRIPLE (tests/deps/build-deps.sh)"
  bash tests/deps/build-deps.sh "$TRIPLE" "$DEPS" >"$LOGS/deps.log" 2>&1 ||
    { tail -n 40 "$LOGS/deps.log"; die "building the mingw deps failed (log: $LOGS/deps.log)"; }
fi

build() {   # build DIR TARGETS... -- CMAKE ARGS...
  local dir=$1 targets=() log
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do targets+=("$1"); shift; done
  shift
  log=$LOGS/build-$(basename "$dir").log
  : >"$log"
  if ! { cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" &&
         cmake --build "$dir" -j "$JOBS" --target "${targets[@]}"; } >>"$log" 2>&1; then
    tail -n 60 "$log"
    die "build of $dir failed (log: $log)"
  fi
}
echo "==> build build/bench-native (bench_fake) and build/bench-x64 (bitswatch.dll, bench_bits.exe)"
build "$BUILD/bench-native" bench_fake --
build "$BUILD/bench-x64" bitswatch bench_bits -- \
  -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$TRIPLE.cmake" -DBW_DEPS_PREFIX="$DEPS"
BENCH_FAKE=$BUILD/bench-native/tests/bench/bench_fake
BENCH_BITS=$BUILD/bench-x64/tests/bench/bench_bits.exe
DLL=$BUILD/bench-x64/bin/bitswatch.dll
for f in "$BENCH_FAKE" "$BENCH_BITS" "$DLL"; do [ -f "$f" ] || die "not built: $f"; done

# ---------------------------------------------------------------- Wine + HTTP
export WINEPREFIX=${BW_BENCH_WINEPREFIX:-$BUILD/bench-wine-prefix}
export WINEDEBUG=-all
unset DISPLAY WAYLAND_DISPLAY
HTTP_PID=
WINE_STARTED=0
cleanup() {
  if [ -n "$HTTP_PID" ]; then
    kill "$HTTP_PID" 2>/dev/null || true
    wait "$HTTP_PID" 2>/dev/null || true
  fi
  # Our own prefix only (WINEPREFIX is set above): its jobs die with it.
  if [ "$WINE_STARTED" = 1 ]; then
    wineserver -k 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -f "$WINEPREFIX/.bw-ready" ]; then
  echo "==> Wine prefix $WINEPREFIX"
  rm -rf "$WINEPREFIX"
  # mscoree/mshtml off: no Mono/Gecko prompts; wineserver -w before BITS is used.
  { env WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i && wineserver -w; } >"$LOGS/wine.log" 2>&1 ||
    { tail -n 40 "$LOGS/wine.log"; die "wineboot failed"; }
  touch "$WINEPREFIX/.bw-ready"
fi
WINE_STARTED=1
wineserver -k 2>/dev/null || true   # a fresh BITS: no jobs left from an earlier run
wineserver -w 2>/dev/null || true
wineserver -p >>"$LOGS/wine.log" 2>&1 || true

PORTFILE=$BUILD/bench-http.port
rm -f "$PORTFILE"
python3 tests/integration/http_server.py --port-file "$PORTFILE" >"$LOGS/http.log" 2>&1 &
HTTP_PID=$!
for _ in $(seq 150); do
  [ -s "$PORTFILE" ] && break
  kill -0 "$HTTP_PID" 2>/dev/null || break
  sleep 0.1
done
[ -s "$PORTFILE" ] || { cat "$LOGS/http.log"; die "the HTTP server did not start"; }
HTTP=http://127.0.0.1:$(cat "$PORTFILE")

# ---------------------------------------------------------------- run
echo "==> bench_fake (native, fake backend)"
"$BENCH_FAKE" "${BW_BENCH_NATIVE_MEM_POLLS:-1000000}" >"$LOGS/native.out" 2>"$LOGS/native.err"
rc_native=$?
cat "$LOGS/native.err" >&2
echo "==> bench_bits (Wine's BITS; several minutes)"
START=$SECONDS
wine "$BENCH_BITS" "$DLL" "$HTTP" >"$LOGS/bits.out" 2> >(tee "$LOGS/bits.err" >&2)
rc_bits=$?
ELAPSED=$((SECONDS - START))
sed -i 's/\r$//' "$LOGS/bits.out"   # a Windows program's stdout ends lines with CRLF

# ---------------------------------------------------------------- report
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/^[^:]*: *//')
wine_version=$(wine --version 2>/dev/null | head -n1)
load=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# BitsWatch benchmarks"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr); load average at the end: $load"
  echo "- Wine: ${wine_version:-unknown} (its BITS service, qmgr, is the BITS measured)"
  echo "- Command: \`tests/bench/run.sh\` (Wine part: ${ELAPSED}s)"
  echo "- Build: Release (-O3), bitswatch.dll x64 under Wine; native core on the unit tests' counting fake backend"
  echo
  echo "Times are measured side by side in one run (interleaved), so compare ratios, not"
  echo "absolute values: a cross-process COM call under Wine costs far more than on Windows,"
  echo "and the machine may be shared."
  echo
  echo "| Figure | BitsWatch | Baseline (raw COM) | Ratio | Target | Met? |"
  echo "|---|---|---|---|---|---|"
  cat "$LOGS/native.out" "$LOGS/bits.out" | awk -F'\t' '$1 == "ROW" {
    printf "| %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7 }'
  echo
  echo "Notes"
  echo
  cat "$LOGS/native.out" "$LOGS/bits.out" | awk -F'\t' '$1 == "NOTE" { printf "- %s\n", $2 }'
  if [ $rc_native -ge 2 ] || [ $rc_bits -ge 2 ]; then
    echo
    echo "**Incomplete run**: bench_fake exit $rc_native, bench_bits exit $rc_bits (see build/bench-logs/)."
  fi
} >"$LOGS/results.md"
cp "$LOGS/results.md" "$RESULTS"
echo
cat "$RESULTS"

missed=$(cat "$LOGS/native.out" "$LOGS/bits.out" | awk -F'\t' '$1 == "ROW" && $7 == "no"' | wc -l)
rows=$(cat "$LOGS/native.out" "$LOGS/bits.out" | awk -F'\t' '$1 == "ROW"' | wc -l)
echo
if [ $rc_native -ge 2 ] || [ $rc_bits -ge 2 ] || [ "$rows" -eq 0 ]; then
  echo "bench: INCOMPLETE (bench_fake exit $rc_native, bench_bits exit $rc_bits)"
  exit 2
fi
if [ "$missed" -ne 0 ] || [ $rc_native -ne 0 ] || [ $rc_bits -ne 0 ]; then
  echo "bench: $missed of $rows figures missed their target (written to ${RESULTS#"$ROOT"/})"
  exit 1
fi
echo "bench: all $rows figures met their targets (written to ${RESULTS#"$ROOT"/})"
