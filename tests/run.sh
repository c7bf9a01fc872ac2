#!/usr/bin/env bash
# tests/run.sh: THE test command (CI runs it through .ci/run).
#
# From a bare Debian bookworm machine (as root) to every test result:
#   1. install the packages it needs with apt-get (skipped when all present),
#   2. build static mingw cmocka + libffi from Debian's source packages,
#   3. configure and build native (ASan/UBSan), x64 and x86,
#   4. make (once) and start a Wine prefix, and the loopback HTTP server,
#   5. ctest native, ctest x64 under Wine's real BITS, export checks for both
#      DLLs, and a bounded libFuzzer smoke run when tests/fuzz exists,
#   6. stop what it started, print one line per stage, exit non-zero if any
#      stage failed. Stages after a failure still run when they can, so one run
#      shows every problem.
# Everything lives under build/; a second run reuses packages, deps and the
# Wine prefix. Logs: build/logs/.
# Knobs: BW_FUZZ_SECONDS (default 20) per fuzz target; BW_JOBS (default nproc);
# BW_CTEST_LIMIT (default 2400) seconds for one whole ctest run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=$ROOT/build
LOGS=$BUILD/logs
mkdir -p "$LOGS"
exec </dev/null                     # CI has no stdin; nothing may prompt
export DEBIAN_FRONTEND=noninteractive
JOBS=${BW_JOBS:-$(nproc)}
FUZZ_SECONDS=${BW_FUZZ_SECONDS:-20}
CTEST_LIMIT=${BW_CTEST_LIMIT:-2400}   # seconds for one whole ctest run
RUN_START=$SECONDS

# ---------------------------------------------------------------- stages
SUMMARY=()
FAILED=0

# stage NAME FUNCTION [ARGS...]: runs FUNCTION, records PASS/FAIL/SKIP and time.
# A function returns 0 (pass), 1 (fail) or 3 (skip, not a failure).
# Bash ignores `set -e` inside a function called from a condition, so stage
# functions chain their steps with && / || return 1 explicitly.
stage() {
  local name=$1 start=$SECONDS rc=0 result
  shift
  echo "==> $name"
  "$@" || rc=$?
  case $rc in
    0) result=PASS ;;
    3) result=SKIP ;;
    *) result=FAIL; FAILED=1 ;;
  esac
  SUMMARY+=("$(printf '%-14s %-4s %5ss' "$name" "$result" "$((SECONDS - start))")")
  echo "<== $name: $result"
  return $rc
}

# notrun NAME WHY: records a stage that could not run because an earlier one
# failed (that one is already a FAIL).
notrun() {
  SUMMARY+=("$(printf '%-14s %-4s        (%s)' "$1" "----" "$2")")
}

# skip NAME WHY: records a stage this machine cannot run (a capability it
# lacks, found by a probe), with the reason on its summary line. Not a
# failure: nothing of the project's was tried and found wrong.
skip() {
  echo "==> $1: SKIP ($2)"
  SUMMARY+=("$(printf '%-14s %-4s        (%s)' "$1" "SKIP" "$2")")
}

# quietly LOG CMD...: runs CMD with output to LOG; shows the tail on failure.
quietly() {
  local log=$1 rc=0
  shift
  "$@" >>"$log" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    echo "---- $* failed (exit $rc); last lines of $log ----"
    tail -n 80 "$log"
    echo "---- end of $log ----"
  fi
  return $rc
}

# ---------------------------------------------------------------- 1. packages
# mono-mcs/mono-runtime: C# P/Invoke tests; clang + libclang-rt-14-dev: libFuzzer;
# dpkg-dev + xz-utils: apt-get source and its tarballs; binutils: objdump.
# openssh-server/-client: the fleet tests' loopback machines (tests/remoting;
# the package's own sshd on port 22 is not started, see install_packages).
PACKAGES=(
  mingw-w64 wine64 wine cmake ninja-build make gcc libc6-dev pkg-config
  libcmocka-dev libffi-dev python3 valgrind clang libclang-rt-14-dev
  dpkg-dev xz-utils mono-mcs mono-runtime binutils libtsan2
  osslsigncode openssl unzip tmux openssh-server openssh-client
)
# node and npm (tree-sitter-powershell for the module checks): this machine
# image ships its own Node.js with npm; Debian's packages only when absent.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

install_packages() {
  local p status missing=()
  for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [ "${status:0:2}" = ii ] || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "all ${#PACKAGES[@]} packages present"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${missing[*]}"
    echo "run as root, or install them: apt-get install --no-install-recommends ${missing[*]}"
    return 1
  fi
  echo "installing: ${missing[*]}"
  : > "$LOGS/apt.log"
  # No service a package brings may start (openssh-server's sshd on port 22:
  # the tests start sshd of their own on 127.0.0.1): a policy-rc.d that
  # denies every start, for the time of the install, unless the machine has
  # one already (container images usually do).
  local policy=/usr/sbin/policy-rc.d made_policy=0 rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
  fi
  quietly "$LOGS/apt.log" apt-get update &&
  quietly "$LOGS/apt.log" apt-get install -y --no-install-recommends "${missing[@]}" || rc=$?
  [ $made_policy = 0 ] || rm -f "$policy"
  return $rc
}

# ---------------------------------------------------------------- 2. deps
deps() {   # deps TRIPLE
  bash tests/deps/build-deps.sh "$1" "$BUILD/deps/$1"
}

# ---------------------------------------------------------------- 3. builds
# configure_build ARCH [CMAKE ARGS...]: configure + build build/ARCH.
configure_build() {
  local arch=$1 log=$LOGS/build-$1.log
  shift
  : > "$log"
  quietly "$log" cmake -S . -B "$BUILD/$arch" -G Ninja "$@" &&
  quietly "$log" cmake --build "$BUILD/$arch" -j "$JOBS"
}

mingw_build() {   # mingw_build ARCH TRIPLE
  local prefix=$BUILD/deps/$2
  if [ ! -f "$prefix/.bw-deps-stamp" ]; then
    echo "deps for $2 are missing"
    return 1
  fi
  configure_build "$1" \
    -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$2.cmake" \
    -DBW_DEPS_PREFIX="$prefix"
}

# ---------------------------------------------------------------- 4. Wine + HTTP
export WINEPREFIX=$BUILD/wine-prefix
export WINEDEBUG=-all
unset DISPLAY WAYLAND_DISPLAY       # headless: no window may open
WINESERVER_STARTED=0
HTTP_PID=

wine_prefix() {
  if [ -f "$WINEPREFIX/.bw-ready" ]; then
    echo "reusing $WINEPREFIX"
  else
    rm -rf "$WINEPREFIX"
    : > "$LOGS/wine.log"
    # mscoree/mshtml off: no Mono/Gecko install prompts or downloads.
    # wineserver -w: without it the first BITS activation fails (wine-bits.md).
    quietly "$LOGS/wine.log" env WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i &&
    quietly "$LOGS/wine.log" wineserver -w &&
    touch "$WINEPREFIX/.bw-ready" || return 1
  fi
  # BITS jobs live in the service, which lives as long as the wineserver: keep
  # one alive for the whole run so jobs made by one test process outlive it.
  wineserver -p >>"$LOGS/wine.log" 2>&1 || true
  WINESERVER_STARTED=1
  # Start Wine's system processes (services.exe, rpcss, svchost...) now, with
  # their output going to the log. Started by the first test instead, they
  # would inherit that test's stdout pipe and keep it open after the test
  # exits, and ctest waits for that pipe forever.
  quietly "$LOGS/wine.log" wine wineboot
}

http_server() {
  local portfile=$BUILD/http.port port i
  rm -f "$portfile"
  python3 tests/integration/http_server.py --port-file "$portfile" \
    >"$LOGS/http.log" 2>&1 &
  HTTP_PID=$!
  for i in $(seq 150); do
    [ -s "$portfile" ] && break
    kill -0 "$HTTP_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ ! -s "$portfile" ]; then
    echo "the HTTP server did not start:"
    cat "$LOGS/http.log"
    return 1
  fi
  port=$(cat "$portfile")
  export BW_TEST_HTTP=http://127.0.0.1:$port
  echo "BW_TEST_HTTP=$BW_TEST_HTTP"
}

cleanup() {
  if [ -n "$HTTP_PID" ]; then
    kill "$HTTP_PID" 2>/dev/null || true
    wait "$HTTP_PID" 2>/dev/null || true
  fi
  if [ "$WINESERVER_STARTED" = 1 ]; then
    wineserver -k 2>/dev/null || true
  fi
}
trap cleanup EXIT
# Exit through the EXIT trap on signals too (SIGPIPE: a closed `| tail`).
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE

# ---------------------------------------------------------------- 5. checks
run_ctest() {   # run_ctest ARCH [CTEST ARGS...]
  local arch=$1
  shift
  [ -f "$BUILD/$arch/CTestTestfile.cmake" ] || { echo "build/$arch was not built"; return 1; }
  # The outer timeout is a last resort: ctest's own per-test timeout does not
  # cover a test whose output pipe a leftover process still holds.
  timeout --kill-after=30 "$CTEST_LIMIT" \
    ctest --test-dir "$BUILD/$arch" --output-on-failure --no-tests=error "$@"
}

check_exports() {   # check_exports ARCH
  local dll=$BUILD/$1/bin/bitswatch.dll
  [ -f "$dll" ] || { echo "no $dll (the $1 build failed?)"; return 1; }
  bash tests/check_exports.sh "$dll" def/bitswatch.def
}

fuzz() {
  local exe name corpus found=0 rc=0
  if [ ! -f tests/fuzz/CMakeLists.txt ]; then
    echo "no tests/fuzz/CMakeLists.txt"
    return 3
  fi
  configure_build fuzz -DCMAKE_C_COMPILER=clang -DBW_FUZZ=ON || return 1
  while IFS= read -r exe; do
    found=1
    name=$(basename "$exe")
    # A private, writable corpus seeded from the committed one (if any), so
    # runs accumulate inputs without touching the source tree.
    corpus=$BUILD/fuzz/corpus/$name
    mkdir -p "$corpus"
    if [ -d "tests/fuzz/corpus/$name" ]; then
      cp -r "tests/fuzz/corpus/$name/." "$corpus/"
    fi
    echo "$name: ${FUZZ_SECONDS}s"
    mkdir -p "$BUILD/fuzz/artifacts"
    if ! quietly "$LOGS/$name.log" "$exe" -max_total_time="$FUZZ_SECONDS" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$BUILD/fuzz/artifacts/$name-" "$corpus"; then
      echo "$name failed; the crashing input is in build/fuzz/artifacts/"
      rc=1
    else
      grep -E '^(stat::number_of_executed_units|Done)' "$LOGS/$name.log" | tail -n 2 || true
    fi
  done < <(find "$BUILD/fuzz" -type f -name 'fuzz_*' ! -name '*.*' -perm -u+x | sort)
  if [ $found = 0 ]; then
    echo "build/fuzz produced no fuzz_* executable"
    return 1
  fi
  return $rc
}

# The native unit tests once more without sanitizers (they and valgrind do not
# mix), each under memcheck: any error or definite/indirect leak fails.
valgrind_unit() {
  local exe rc=0 found=0
  configure_build valgrind -DBW_SANITIZE=OFF || return 1
  while IFS= read -r exe; do
    found=1
    echo "valgrind $(basename "$exe")"
    quietly "$LOGS/valgrind.log" valgrind -q --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
      "$exe" || rc=1
  done < <(find "$BUILD/valgrind/tests/unit" -maxdepth 1 -type f -name 'test_*' -perm -u+x | sort)
  [ $found = 1 ] || { echo "no unit tests in build/valgrind"; return 1; }
  return $rc
}

# The native unit tests (the threaded ones above all: handles, poll, close
# during a call) under ThreadSanitizer; any report fails the test (TSan's
# exit code 66). The C# and example checks need no second run here.
tsan_unit() {
  configure_build tsan -DBW_TSAN=ON || return 1
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    run_ctest tsan -j "$JOBS" --timeout 600 -E '(csharp|binding|example)'
}

# The PowerShell module: parsed with tree-sitter-powershell, static checks,
# and its P/Invoke entry points against both DLLs' export tables.
ps_module() {
  local a=()
  [ -f "$BUILD/x64/bin/bitswatch.dll" ] && a+=(--dll-x64 "$BUILD/x64/bin/bitswatch.dll")
  [ -f "$BUILD/x86/bin/bitswatch.dll" ] && a+=(--dll-x86 "$BUILD/x86/bin/bitswatch.dll")
  bash tests/ps/run.sh "${a[@]}"
}

# The module run for real: pwsh 7.6 + Pester (installed under build/tools by
# tests/ps/install-pwsh.sh) against libbitswatch_sim.so of a build without
# sanitizers (pwsh cannot load an ASan library).
pester() {
  local log=$LOGS/build-native-plain.log
  : > "$log"
  quietly "$log" cmake -S . -B "$BUILD/native-plain" -G Ninja -DBW_SANITIZE=OFF &&
  quietly "$log" cmake --build "$BUILD/native-plain" -j "$JOBS" --target bitswatch_sim || return 1
  bash tests/ps/run-pester.sh "$BUILD/native-plain/bin/libbitswatch_sim.so"
}

# The plain build (toolchain file only), installed, used by consumers built
# with find_package(BitsWatch) and pkg-config; the x64 ones run under Wine on
# jobs made by bwjob.exe (tests/consumer/run.sh).
consumer() {
  BW_CONSUMER_WORK=$BUILD/consumer BW_JOBS=$JOBS \
    bash tests/consumer/run.sh --bwjob "$BUILD/x64/bin/bwjob.exe"
}

# ---------------------------------------------------------------- run
have() { [ "$1" = 0 ]; }

stage install install_packages || {
  echo "cannot continue without the packages"
  exit 1
}

# osslsigncode 2.7+ (PowerShell script signing): Debian 12 has 2.5, so the
# script takes it from bookworm-backports when the installed one is older.
stage osslsigncode bash tests/deps/osslsigncode.sh || true

deps64=0; deps86=0
stage deps-x64 deps x86_64-w64-mingw32 || deps64=1
stage deps-x86 deps i686-w64-mingw32 || deps86=1

native=0; x64=0; x86=0
stage build-native configure_build native -DBW_SANITIZE=ON || native=1
if have $deps64; then
  stage build-x64 mingw_build x64 x86_64-w64-mingw32 || x64=1
else
  x64=1; notrun build-x64 "deps failed"
fi
if have $deps86; then
  stage build-x86 mingw_build x86 i686-w64-mingw32 || x86=1
else
  x86=1; notrun build-x86 "deps failed"
fi

wine=0
stage wine-prefix wine_prefix || wine=1
stage http-server http_server || wine=1

if have $native; then
  stage test-native run_ctest native -j "$JOBS" --timeout 600 || true
else
  notrun test-native "build failed"
fi
# A pseudo-terminal: the console tests (test_cli_console, under tmux) and
# PowerShell's console host under Wine (winps) need one.
pty_why=
if ! script -qec true /dev/null >"$LOGS/pty.log" 2>&1 ||
   ! tmux -L bw-pty-probe new-session -d -x 80 -y 24 true >>"$LOGS/pty.log" 2>&1; then
  pty_why="this machine gives no pseudo-terminal to script(1) or tmux: $(tail -n 1 "$LOGS/pty.log")"
fi
tmux -L bw-pty-probe kill-server >/dev/null 2>&1 || true
no_console=()
[ -z "$pty_why" ] || no_console=(-E '^test_cli_console$')

# Serial: the integration tests share one BITS service.
if have $x64 && have $wine; then
  stage test-x64 run_ctest x64 --timeout 900 -LE bits-crash "${no_console[@]}" || true
  [ -z "$pty_why" ] || skip test-cli-console "$pty_why"
  # The plain build installed and used by a find_package and a pkg-config
  # consumer (x64 and x86); the x64 ones watch real jobs (tests/consumer).
  stage consumer consumer || true
  # The last BITS user of the run: it kills the service's host, and under
  # Wine 8 BITS stays unreachable afterwards. Nothing using BITS may follow.
  stage test-x64-crash run_ctest x64 --timeout 300 -L bits-crash || true
else
  notrun test-x64 "build, Wine or HTTP server failed"
fi
stage exports-x64 check_exports x64 || true
stage exports-x86 check_exports x86 || true
stage fuzz fuzz || true
stage valgrind valgrind_unit || true
stage tsan tsan_unit || true
stage ps-module ps_module || true
stage pester pester || true

# The fleet (issue 20): the -Session commands on real PowerShell remoting,
# SSH to sshd "machines" on 127.0.0.1 (tests/remoting/run.sh starts and stops
# them). Probed first: a machine where sshd cannot serve a PowerShell session
# on the loopback interface skips the stage with the probe's reason.
fleet_sim=$BUILD/native-plain/bin/libbitswatch_sim.so
if [ ! -f "$fleet_sim" ]; then
  notrun fleet "no libbitswatch_sim.so (the pester stage builds it)"
else
  fleet_rc=0
  bash tests/remoting/run.sh --probe "$fleet_sim" >"$LOGS/fleet-probe.log" 2>&1 || fleet_rc=$?
  if [ $fleet_rc = 3 ]; then
    skip fleet "$(grep '^SKIP' "$LOGS/fleet-probe.log" | tail -n 1)"
  else
    stage fleet bash tests/remoting/run.sh "$fleet_sim" || true
  fi
fi

# ---- x86 ABI and packaging (tests/check_x86_abi.py, tests/package/)
x86_abi() {
  local b=$BUILD/x86
  [ -f "$b/bin/bitswatch.dll" ] || { echo "no $b/bin/bitswatch.dll (the x86 build failed?)"; return 1; }
  local args=(--dll "$b/bin/bitswatch.dll" --implib "$b/dll/libbitswatch.dll.a"
              --header dll/include/bitswatch.h --def def/bitswatch.def)
  python3 tests/check_x86_abi.py "${args[@]}" && python3 tests/check_x86_abi.py "${args[@]}" --self-test
}
stage x86-abi x86_abi || true
stage package bash tests/package/check_package.sh || true

# ---- Windows code end to end (tests/wine10, tests/winps; tests/winps/README.md)
# A cached Debian 13 root with Wine 10 (32-bit too); the x86 build's tests run
# in it (its own prefix and wineserver), then the module in PowerShell for
# Windows: x64 under the machine's Wine 8, x86 under Wine 10.
#
# Machine capabilities, probed here rather than assumed (README, "What is
# tested against what"):
# - 32-bit x86 execution (tests/tools/probe-i386.sh): some machines of our
#   kind cannot execve any i386 program. There Wine's 32-bit side cannot start,
#   so wine10-root (its i386 packages' maintainer scripts), test-x86 and
#   winps-x86 are SKIP with the reason; the x86 build, exports-x86 and x86-abi
#   above ran anyway. BW_ASSUME_NO_I386=1 forces that answer (.ci/run never
#   sets it).
# - a private mount namespace (unshare --mount): tests/wine10 runs Wine 10 in
#   one; without it, the same three stages SKIP.
# - a pseudo-terminal (script(1), tmux; probed before test-x64): PowerShell's
#   console host under Wine and bitswatch.exe's console test need one; without
#   it the winps stages and test_cli_console SKIP.
WINE10_ROOT=$BUILD/wine10/root
wine10_root() {
  : > "$LOGS/wine10-root.log"
  quietly "$LOGS/wine10-root.log" bash tests/wine10/make-root.sh "$WINE10_ROOT" &&
    tail -n 1 "$LOGS/wine10-root.log"
}
# integration_restart and integration_crash are left out: under Wine 10 BITS
# never comes back after `net stop BITS`, and `taskkill /im svchost.exe` does
# not reach the BITS host (both run on x64 under Wine 8, test-x64*).
test_x86_wine10() {
  local rc=0 w=$ROOT/tests/wine10/wine log=$LOGS/build-x86-wine10.log
  [ -f "$BUILD/x86/CTestTestfile.cmake" ] || { echo "build/x86 was not built"; return 1; }
  : > "$log"
  quietly "$log" cmake -S . -B "$BUILD/x86" -DCMAKE_CROSSCOMPILING_EMULATOR="$w" &&
    quietly "$log" cmake --build "$BUILD/x86" -j "$JOBS" || return 1
  (
    export BW_WINE10_ROOT=$WINE10_ROOT BW_WINE10_PREFIX=$BUILD/wine10/prefix
    trap '"$w" --cmd wineserver -k >/dev/null 2>&1 || true' EXIT
    { "$w" --cmd wineserver -p && "$w" wineboot; } >>"$LOGS/wine10.log" 2>&1 ||
      { echo "Wine 10 did not start (see $LOGS/wine10.log)"; exit 1; }
    run_ctest x86 --timeout 600 -E '^integration_(restart|crash)$'
  ) || rc=$?
  return $rc
}
winps() {   # winps CONFIG (x64-wine8 or x86-wine10)
  local a=(--out "$BUILD/winps" --x64 "$BUILD/x64")
  [ -f "$BUILD/x64/bin/bwjob.exe" ] || { echo "build/x64 was not built"; return 1; }
  if [ "$1" = x86-wine10 ]; then
    [ -f "$BUILD/x86/bin/bitswatch.dll" ] || { echo "build/x86 was not built"; return 1; }
    [ -f "$WINE10_ROOT/.bw-root-ready" ] || { echo "no Debian 13 root"; return 1; }
    a+=(--x86 "$BUILD/x86" --wine10 "$WINE10_ROOT")
  elif [ -f "$BUILD/x86/bin/bitswatch.dll" ]; then
    a+=(--x86 "$BUILD/x86")   # the laid-out module holds both DLLs, as shipped
  fi
  BW_WINPS_CONFIGS=$1 bash tests/winps/run.sh "${a[@]}"
}

i386=0
I386_ANSWER=$(bash tests/tools/probe-i386.sh "$BUILD/probe") || i386=$?
echo "$I386_ANSWER"
no_x86_why=
if [ $i386 != 0 ]; then
  no_x86_why=${I386_ANSWER#i386: no (}
  no_x86_why=${no_x86_why%)}
elif ! unshare --mount --propagation private true 2>"$LOGS/unshare.log"; then
  no_x86_why="this machine cannot make a mount namespace for the Debian 13 root: unshare --mount: $(tail -n 1 "$LOGS/unshare.log")"
fi

if [ -n "$no_x86_why" ]; then
  skip wine10-root "$no_x86_why"
  skip test-x86 "$no_x86_why"
else
  wine10=0
  stage wine10-root wine10_root || wine10=1
  if have $x86 && have $wine10 && [ -n "${BW_TEST_HTTP:-}" ]; then
    stage test-x86 test_x86_wine10 || true
  else
    notrun test-x86 "x86 build, Debian 13 root or HTTP server failed"
  fi
fi
if [ -n "$pty_why" ]; then
  skip winps-x64 "$pty_why"
elif have $x64 && [ -n "${BW_TEST_HTTP:-}" ]; then
  stage winps-x64 winps x64-wine8 || true
else
  notrun winps-x64 "x64 build or HTTP server failed"
fi
if [ -n "$no_x86_why" ]; then
  skip winps-x86 "$no_x86_why"
elif [ -n "$pty_why" ]; then
  skip winps-x86 "$pty_why"
elif have $x64 && have $x86 && have $wine10 && [ -n "${BW_TEST_HTTP:-}" ]; then
  stage winps-x86 winps x86-wine10 || true
else
  notrun winps-x86 "x64 or x86 build, Debian 13 root or HTTP server failed"
fi

echo
echo "==== summary ($((SECONDS - RUN_START))s) ===="
echo "$I386_ANSWER"
printf '%s\n' "${SUMMARY[@]}"
passed=0; failed=0; skipped=0
for line in "${SUMMARY[@]}"; do
  case $line in
    *" PASS "*) passed=$((passed + 1)) ;;
    *" SKIP "*) skipped=$((skipped + 1)) ;;
    *" FAIL "*|*" ---- "*) failed=$((failed + 1)) ;;
  esac
done
echo "stages: $passed passed, $failed failed, $skipped skipped"
if [ $FAILED -ne 0 ]; then
  echo "FAILED (logs in build/logs/)"
  exit 1
fi
if [ $skipped -ne 0 ]; then
  echo "ALL PASSED that this machine can run ($skipped skipped, reasons above)"
else
  echo "ALL PASSED"
fi
