#!/usr/bin/env bash
# tests/bench/run.sh: the BitsWatch benchmarks (NOT part of the test command).
#
# Builds what it needs (build/bench-native: the core on the counting fake
# backend; build/bench-x64: bitswatch.dll, bench_bits.exe, bwjob.exe and, when
# it builds, bitswatch.exe, all Release; build/bench-x64-dutyN: bitswatch.dll
# with BW__DUTY_PERCENT=N for the duty-cycle trade-off), makes its own Wine
# prefix (build/bench-wine-prefix) with a fresh wineserver (so BITS holds no
# jobs from an earlier run), starts the loopback HTTP server and the BITS
# service, finds the pids of that prefix's svchost (BITS) and wineserver (for
# their CPU), runs bench_fake natively and bench_bits under Wine against
# Wine's real BITS, stops what it started, and prints a Markdown table that it
# also writes to tests/bench/results.md (with the date, the machine, its load
# and Wine's version).
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
# BW_BENCH_RESULTS (default tests/bench/results.md), BW_BENCH_DIRS (name stem
# of the build dirs, default "bench": build/<stem>-x64 ...), BW_BENCH_DUTIES
# (other duty cycles to build and compare, default "5 10 20 40" without the
# one built; "" for none), BW_BENCH_FULL_READ_MS (an experiment, see below);
# figure 6 (many jobs): BW_BENCH_MANY_ROUNDS (4), BW_BENCH_MANY_K (5 cancels
# a phase), BW_BENCH_CPU_ROUNDS (2), BW_BENCH_CPU_SECONDS (8),
# BW_BENCH_CLI_ROUNDS (3), BW_BENCH_CLI_K (3), BW_BENCH_SWEEP_ROUNDS (4),
# BW_BENCH_SWEEP_K (3), BW_BENCH_CREATE_ROUNDS (3), BW_BENCH_CREATE_K (4 jobs
# created per watcher and round), BW_BENCH_RTT_CALLS (200);
# BW_BENCH_FIGURE6 (default tests/bench/figure6.svg; its data beside it as
# figure6.csv): figure 6's plot, drawn by tests/bench/plot_many.py when
# figure 6 ran.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BUILD=$ROOT/build
STEM=${BW_BENCH_DIRS:-bench}
LOGS=$BUILD/$STEM-logs
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

build() {   # build DIR TARGETS... -- CMAKE ARGS...   (sources: $SRC_DIR, default the tree)
  local dir=$1 targets=() log src=${SRC_DIR:-.}
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do targets+=("$1"); shift; done
  shift
  log=$LOGS/build-$(basename "$dir").log
  : >"$log"
  if ! { cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" &&
         cmake --build "$dir" -j "$JOBS" --target "${targets[@]}"; } >>"$log" 2>&1; then
    tail -n 60 "$log"
    die "build of $dir failed (log: $log)"
  fi
}
MINGW=(-DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$TRIPLE.cmake" -DBW_DEPS_PREFIX="$DEPS")
echo "==> build build/$STEM-native (bench_fake) and build/$STEM-x64 (bitswatch.dll, bench_bits.exe, bwjob.exe)"
build "$BUILD/$STEM-native" bench_fake --
build "$BUILD/$STEM-x64" bitswatch bench_bits bwjob -- "${MINGW[@]}"
BENCH_FAKE=$BUILD/$STEM-native/tests/bench/bench_fake
BENCH_BITS=$BUILD/$STEM-x64/tests/bench/bench_bits.exe
DLL=$BUILD/$STEM-x64/bin/bitswatch.dll
BWJOB=$BUILD/$STEM-x64/bin/bwjob.exe
for f in "$BENCH_FAKE" "$BENCH_BITS" "$DLL" "$BWJOB"; do [ -f "$f" ] || die "not built: $f"; done

# bitswatch.exe: measured when it builds (another part of the tree; a broken
# CLI must not stop the benchmarks of the DLL).
CLI=$BUILD/$STEM-x64/bin/bitswatch.exe
if cmake --build "$BUILD/$STEM-x64" -j "$JOBS" --target bitswatch_cli >"$LOGS/build-cli.log" 2>&1 &&
   [ -f "$CLI" ]; then
  export BW_BENCH_CLI=$CLI
  if grep -q 'BwQueueOpen' cli/watch.c; then
    export BW_BENCH_CLI_KIND="its watch loop uses BwJobPollMany and follows the queue with BwQueueOpen"
  elif grep -q 'BwJobPollMany' cli/watch.c; then
    export BW_BENCH_CLI_KIND="its watch loop uses BwJobPollMany; it does not follow the queue (BwQueueOpen) yet"
  else
    export BW_BENCH_CLI_KIND="its watch loop gives each job a BwJobPoll wait of 50 ms in turn: it does not use BwJobPollMany yet"
  fi
else
  echo "bench: bitswatch.exe did not build (log: $LOGS/build-cli.log); not measured" >&2
fi

# The duty-cycle trade-off: the same DLL with other BW__DUTY_PERCENT values,
# copied under other names so that one process can load them side by side.
MAIN_DUTY=$(sed -n 's/^#define BW__DUTY_PERCENT \([0-9]*\)u.*/\1/p' dll/src/poll_many.c | head -n1)
export BW_BENCH_MAIN_DUTY=${MAIN_DUTY:-0}
DUTY_DLLS=
for d in ${BW_BENCH_DUTIES-5 10 20 40}; do
  [ "$d" = "$MAIN_DUTY" ] && continue
  echo "==> build build/$STEM-x64-duty$d (bitswatch.dll, BW__DUTY_PERCENT=$d)"
  build "$BUILD/$STEM-x64-duty$d" bitswatch -- "${MINGW[@]}" -DCMAKE_C_FLAGS="-DBW__DUTY_PERCENT=${d}u"
  cp "$BUILD/$STEM-x64-duty$d/bin/bitswatch.dll" "$LOGS/bitswatch-duty$d.dll"
  DUTY_DLLS="$DUTY_DLLS${DUTY_DLLS:+;}$d=$LOGS/bitswatch-duty$d.dll"
done
# An experiment (BW_BENCH_FULL_READ_MS, default none): the DLL with another
# full-read period for quiet jobs in a BwJobPollMany set than
# dll/src/bw_core.h's BW__SET_FULL_READ_MS (5000 ms; a quiet read within it
# is one round trip, a full read two), at the duty cycle built and at 5%,
# built from a copy of the sources. (The first runs of figure 6 measured
# 5000 against the 500 ms BwJobPoll uses; 5000 became the set's period.)
FULL_READ=${BW_BENCH_FULL_READ_MS-}
if [ -n "$FULL_READ" ]; then
  FR_SRC=$BUILD/$STEM-fullread-src
  rm -rf "$FR_SRC" && mkdir -p "$FR_SRC"
  tar -C "$ROOT" --exclude=./build --exclude=./.git -cf - . | tar -C "$FR_SRC" -xf -
  sed -i "s/^#define BW__SET_FULL_READ_MS [0-9]*u/#define BW__SET_FULL_READ_MS ${FULL_READ}u/" "$FR_SRC/dll/src/bw_core.h"
  grep -q "^#define BW__SET_FULL_READ_MS ${FULL_READ}u" "$FR_SRC/dll/src/bw_core.h" ||
    die "BW__SET_FULL_READ_MS not found in dll/src/bw_core.h (the experiment needs updating)"
  for d in $(printf '%s\n' "$MAIN_DUTY" 5 | awk '!seen[$0]++'); do
    echo "==> build build/$STEM-x64-fullread-duty$d (experiment: BW__SET_FULL_READ_MS=$FULL_READ, BW__DUTY_PERCENT=$d)"
    SRC_DIR=$FR_SRC build "$BUILD/$STEM-x64-fullread-duty$d" bitswatch -- "${MINGW[@]}" \
      -DCMAKE_C_FLAGS="-DBW__DUTY_PERCENT=${d}u"
    cp "$BUILD/$STEM-x64-fullread-duty$d/bin/bitswatch.dll" "$LOGS/bitswatch-fullread-duty$d.dll"
    DUTY_DLLS="$DUTY_DLLS${DUTY_DLLS:+;}$d% with $FULL_READ ms full reads (experiment)=$LOGS/bitswatch-fullread-duty$d.dll"
  done
fi
# BW_BENCH_EXTRA_DLLS="label=path;...": more builds to compare (experiments).
export BW_BENCH_DUTY_DLLS=$DUTY_DLLS${BW_BENCH_EXTRA_DLLS:+${DUTY_DLLS:+;}$BW_BENCH_EXTRA_DLLS}

# ---------------------------------------------------------------- Wine + HTTP
export WINEPREFIX=${BW_BENCH_WINEPREFIX:-$BUILD/$STEM-wine-prefix}
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

PORTFILE=$LOGS/http.port
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

# Start BITS (a demand-start service) and find this prefix's svchost hosting
# it and its wineserver, by the WINEPREFIX in their environment (other
# prefixes on the machine run their own).
wine "$BWJOB" list >>"$LOGS/wine.log" 2>&1 || die "BITS does not answer (bwjob list; log: $LOGS/wine.log)"
prefix_pid() {   # prefix_pid PATTERN: first process of our prefix whose command line matches
  local p
  for p in /proc/[0-9]*; do
    tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "WINEPREFIX=$WINEPREFIX" || continue
    if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q -- "$1"; then
      basename "$p"
      return 0
    fi
  done
  return 1
}
export BW_BENCH_SVCHOST_PID=$(prefix_pid 'svchost.exe -k netsvcs')
export BW_BENCH_WINESERVER_PID=$(prefix_pid 'wineserver')
export BW_BENCH_CLK_TCK=$(getconf CLK_TCK)
[ -n "$BW_BENCH_SVCHOST_PID" ] && [ -n "$BW_BENCH_WINESERVER_PID" ] ||
  echo "bench: svchost/wineserver of $WINEPREFIX not found: no service CPU figures" >&2

# ---------------------------------------------------------------- run
echo "==> bench_fake (native, fake backend)"
"$BENCH_FAKE" "${BW_BENCH_NATIVE_MEM_POLLS:-1000000}" >"$LOGS/native.out" 2>"$LOGS/native.err"
rc_native=$?
cat "$LOGS/native.err" >&2
echo "==> bench_bits (Wine's BITS; about half an hour)"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
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
  echo "- Machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr); load average (1, 5, 15 min) at the start of the Wine part: $load_start, at the end: $load (other engineers' builds and tests share the machine)"
  echo "- Wine: ${wine_version:-unknown} (its BITS service, qmgr, is the BITS measured)"
  echo "- Command: \`tests/bench/run.sh\` (Wine part: ${ELAPSED}s)${BW_BENCH_ONLY:+ with BW_BENCH_ONLY=$BW_BENCH_ONLY}"
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
    echo "**Incomplete run**: bench_fake exit $rc_native, bench_bits exit $rc_bits (see build/$STEM-logs/)."
  fi
} >"$LOGS/results.md"
cp "$LOGS/results.md" "$RESULTS"
echo
cat "$RESULTS"

# Figure 6's plot: its DATA lines as CSV, drawn as SVG (python3, no packages).
FIG6_SVG=${BW_BENCH_FIGURE6:-$ROOT/tests/bench/figure6.svg}
FIG6_CSV=${FIG6_SVG%.svg}.csv
if grep -q '^DATA' "$LOGS/bits.out"; then
  { echo "series,metric,n,value"
    awk -F'\t' '$1 == "DATA" { printf "%s,%s,%s,%s\n", $2, $3, $4, $5 }' "$LOGS/bits.out"
  } >"$FIG6_CSV"
  fig6_rtt=$(awk -F'\t' '$1 == "DATA" && $2 == "rtt" && $3 == "getstate_ms" { printf "%.2f", $5 }' "$LOGS/bits.out")
  fig6_cnt=$(awk -F'\t' '$1 == "DATA" && $2 == "rtt" && $3 == "enumcount_ms" { printf "%.2f ms", $5 }' "$LOGS/bits.out")
  fig6_list=$(awk -F'\t' '$1 == "DATA" && $2 == "rtt" && $3 == "list_ms" { printf "%.0f ms with %s jobs", $5, $4 }' "$LOGS/bits.out")
  if python3 tests/bench/plot_many.py "$FIG6_CSV" "$FIG6_SVG" \
       --subtitle "$(date -u '+%Y-%m-%d'); $(nproc) CPUs, ${cpu:-unknown CPU}; ${wine_version:-Wine}; load $load_start -> $load; round trip: GetState ${fig6_rtt:-?} ms, EnumJobs+GetCount+Release ${fig6_cnt:-?}, the list ${fig6_list:-?}"; then
    echo "figure 6 plot: ${FIG6_SVG#"$ROOT"/} (data: ${FIG6_CSV#"$ROOT"/})"
  else
    echo "bench: plot_many.py failed (data: $FIG6_CSV)" >&2
  fi
fi

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
