#!/usr/bin/env bash
# tests/consumer/run.sh: BitsWatch as a user gets it, for x64 and x86.
#   1. the plain build: configure with only the toolchain file (no
#      BW_DEPS_PREFIX, tests off by default), build, `cmake --install`, and
#      check the installed layout (bin/, lib/, include/, lib/cmake/BitsWatch/,
#      lib/pkgconfig/bitswatch.pc, share/doc/BitsWatch/LICENSE; x86: the
#      import library with the decorated _Name@N symbols);
#   2. the prefix is copied elsewhere (it must not depend on where it was
#      installed) and tests/consumer (consumer.c) is built against the copy
#      twice: as a CMake project with find_package(BitsWatch CONFIG REQUIRED),
#      and with the compiler and `pkg-config --cflags --libs bitswatch`;
#   3. under Wine (x64): both consumers run; with --bwjob and BW_TEST_HTTP
#      (tests/run.sh sets both) each watches a real BITS download made by
#      bwjob.exe to TRANSFERRED, reads its info and completes it.
# Usage: tests/consumer/run.sh [--bwjob <bwjob.exe>]
# Env: BW_CONSUMER_WORK (default build/consumer), BW_JOBS, WINEPREFIX,
#      BW_TEST_HTTP. Exit 0 when every check held.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
WORK=${BW_CONSUMER_WORK:-$ROOT/build/consumer}
JOBS=${BW_JOBS:-2}
BWJOB=
while [ $# -gt 0 ]; do
  case $1 in
    --bwjob) BWJOB=$2; shift 2 ;;
    *) echo "usage: $0 [--bwjob <bwjob.exe>]" >&2; exit 2 ;;
  esac
done
FAILS=0
fail() { echo "consumer: FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "consumer: ok: $*"; }
VERSION=$(sed -n 's/^project([^)]*VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt | head -n 1)

# run LOG CMD...: output to LOG, its tail on failure.
run() {
  local log=$1 rc=0
  shift
  "$@" >>"$log" 2>&1 || rc=$?
  [ $rc = 0 ] || { echo "---- $* failed ($rc); end of $log:"; tail -n 40 "$log"; }
  return $rc
}

EXPECTED=(
  bin/bitswatch.dll bin/bitswatch.exe
  include/bitswatch.h include/bitswatch_compat.h include/bitswatch_version.h
  lib/cmake/BitsWatch/BitsWatchConfig.cmake lib/cmake/BitsWatch/BitsWatchConfigVersion.cmake
  lib/cmake/BitsWatch/BitsWatchTargets-release.cmake lib/cmake/BitsWatch/BitsWatchTargets.cmake
  lib/libbitswatch.dll.a lib/pkgconfig/bitswatch.pc share/doc/BitsWatch/LICENSE
)

rm -rf "$WORK"
mkdir -p "$WORK"
for arch in x64 x86; do
  triple=$([ $arch = x64 ] && echo x86_64-w64-mingw32 || echo i686-w64-mingw32)
  b=$WORK/build-$arch log=$WORK/$arch.log
  echo "consumer: $arch: plain build, install"
  # The command a new user types (README, "Build from source"): no test
  # dependencies, so none of BW_DEPS_PREFIX.
  run "$log" cmake -S . -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$triple.cmake" &&
    run "$log" cmake --build "$b" -j "$JOBS" &&
    run "$log" cmake --install "$b" --prefix "$WORK/install-$arch" ||
    { fail "$arch: the plain configure, build or install"; continue; }
  grep -q '^BUILD_TESTING:BOOL=OFF$' "$b/CMakeCache.txt" ||
    fail "$arch: a plain configure turned the tests on"
  ok "$arch: plain configure, build and install"
  # Tests asked for without their dependencies: one clear message at configure.
  if cmake -S . -B "$WORK/tests-on-$arch" -G Ninja -DBUILD_TESTING=ON \
      -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$triple.cmake" >"$WORK/tests-on-$arch.log" 2>&1; then
    fail "$arch: BUILD_TESTING=ON without BW_DEPS_PREFIX configured"
  elif tr '\n' ' ' <"$WORK/tests-on-$arch.log" | tr -s ' ' | grep -q "BW_DEPS_PREFIX is not set. The Windows tests need cmocka"; then
    ok "$arch: BUILD_TESTING=ON without the test dependencies says what they are"
  else
    fail "$arch: BUILD_TESTING=ON without BW_DEPS_PREFIX failed without saying why:"
    tail -n 20 "$WORK/tests-on-$arch.log" >&2
  fi
  rm -rf "$WORK/tests-on-$arch"

  # Installed elsewhere, used from a copy: nothing may point back.
  cp -a "$WORK/install-$arch" "$WORK/prefix-$arch"
  rm -rf "$WORK/install-$arch"
  p=$WORK/prefix-$arch
  found=$(cd "$p" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
  want=$(printf '%s\n' "${EXPECTED[@]}" | LC_ALL=C sort)
  if [ "$found" = "$want" ]; then
    ok "$arch: installed layout (${#EXPECTED[@]} files)"
  else
    fail "$arch: installed layout differs (- expected, + found):"
    diff <(echo "$want") <(echo "$found") >&2
  fi
  if grep -rlF "$WORK" "$p" >/dev/null 2>&1; then
    fail "$arch: installed files name the install path: $(grep -rlF "$WORK" "$p" | tr '\n' ' ')"
  fi
  if [ $arch = x86 ]; then
    python3 tests/check_x86_abi.py --dll "$p/bin/bitswatch.dll" --implib "$p/lib/libbitswatch.dll.a" \
        --header "$p/include/bitswatch.h" --def def/bitswatch.def >>"$log" 2>&1 &&
      ok "x86: the installed import library has the decorated names (check_x86_abi.py)" ||
      fail "x86: the installed DLL/import library fail tests/check_x86_abi.py (see $log)"
  fi

  # find_package(BitsWatch CONFIG REQUIRED), CMAKE_PREFIX_PATH=<prefix>.
  c=$WORK/cmake-$arch
  if run "$log" cmake -S tests/consumer -B "$c" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$triple.cmake" \
        -DCMAKE_PREFIX_PATH="$p" -DBW_EXPECT_VERSION="$VERSION" &&
     run "$log" cmake --build "$c"; then
    grep -q "BitsWatch $VERSION from $p/lib/cmake/BitsWatch" "$log" ||
      fail "$arch: find_package did not report BitsWatch $VERSION from the prefix"
    ok "$arch: find_package(BitsWatch CONFIG REQUIRED) consumer built"
  else
    fail "$arch: the find_package consumer did not build"
  fi
  # The other width must be refused by the version file.
  other=$([ $arch = x64 ] && echo i686-w64-mingw32 || echo x86_64-w64-mingw32)
  if run "$WORK/$arch-wrong-width.log" cmake -S tests/consumer -B "$WORK/wrong-$arch" -G Ninja \
      -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$other.cmake" -DCMAKE_PREFIX_PATH="$p" >/dev/null 2>&1; then
    fail "$arch: a consumer of the other width found this prefix"
  else
    grep -Eq "\((32|64)bit\)" "$WORK/$arch-wrong-width.log" &&
      ok "$arch: a consumer of the other width is refused ($(grep -Eo "(32|64)bit" "$WORK/$arch-wrong-width.log" | head -n 1))" ||
      fail "$arch: the other width failed, but not for its width (see $WORK/$arch-wrong-width.log)"
  fi

  # pkg-config: the .pc file finds its prefix from where it lies.
  pc=$WORK/pkgconfig-$arch
  mkdir -p "$pc"
  flags=$(PKG_CONFIG_LIBDIR=$p/lib/pkgconfig PKG_CONFIG_PATH= pkg-config --cflags --libs bitswatch) &&
    [ "$(PKG_CONFIG_LIBDIR=$p/lib/pkgconfig pkg-config --modversion bitswatch)" = "$VERSION" ] ||
    { fail "$arch: pkg-config bitswatch"; continue; }
  echo "pkg-config --cflags --libs bitswatch: $flags" >>"$log"
  # shellcheck disable=SC2086 # flags are words
  if run "$log" "$triple-gcc" -std=c11 -Wall -Wextra -Werror -municode tests/consumer/consumer.c \
      $flags -o "$pc/consumer.exe"; then
    cp "$(PKG_CONFIG_LIBDIR=$p/lib/pkgconfig pkg-config --variable=bindir bitswatch)/bitswatch.dll" "$pc/"
    ok "$arch: pkg-config consumer built ($flags)"
  else
    fail "$arch: the pkg-config consumer did not build"
  fi
done

# ---- run the x64 consumers under Wine
if ! command -v wine >/dev/null 2>&1; then
  echo "consumer: no wine: the consumers were built, not run"
else   # whichever x64 consumers were built
  export WINEDEBUG=${WINEDEBUG:--all}
  job=0
  if [ -n "$BWJOB" ] && [ -n "${BW_TEST_HTTP:-}" ]; then
    job=1
  else
    echo "consumer: no --bwjob or BW_TEST_HTTP: job-free checks only"
  fi
  for kind in cmake pkgconfig; do
    exe=$WORK/$kind-x64/consumer.exe
    [ -f "$exe" ] || continue
    args=()
    if [ $job = 1 ]; then
      guid=$(wine "$BWJOB" create "$BW_TEST_HTTP/slow/393216?rate=131072" "$WORK/$kind-job.bin" \
               --name "consumer $kind" 2>>"$WORK/wine.log" | tr -d '\r')
      if [[ ! $guid =~ ^\{[0-9A-Fa-f-]+\}$ ]]; then
        fail "x64 $kind: bwjob create failed: '$guid'"
        continue
      fi
      args=("$guid" 393216)
    fi
    if timeout 120 wine "$exe" "${args[@]}" >"$WORK/run-$kind.log" 2>>"$WORK/wine.log"; then
      ok "x64 $kind consumer ran under Wine$([ $job = 1 ] && echo " on a real job ($(grep -c '^consumer: ok' "$WORK/run-$kind.log") checks)")"
    else
      fail "x64 $kind consumer under Wine:"; tr -d '\r' <"$WORK/run-$kind.log" >&2
    fi
    if [ $job = 1 ]; then
      grep -q "ok BwJobPollMany watched the job to Transferred" "$WORK/run-$kind.log" ||
        fail "x64 $kind: the job was not watched to Transferred"
      # tests/integration/http_server.py serves byte i as i % 251.
      python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes(i % 251 for i in range(393216)))' \
        "$WORK/served.bin"
      cmp -s "$WORK/$kind-job.bin" "$WORK/served.bin" ||
        fail "x64 $kind: the downloaded file is not the served bytes"
    fi
  done
fi

if [ $FAILS -ne 0 ]; then
  echo "consumer: $FAILS check(s) failed (logs in $WORK)"
  exit 1
fi
echo "consumer: all checks passed"
