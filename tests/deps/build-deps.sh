#!/usr/bin/env bash
# build-deps.sh <triple> <prefix>
#
# Builds the test dependencies of the mingw-w64 builds, static, into <prefix>:
#   cmocka (lib/libcmocka-static.a, include/cmocka.h) and
#   libffi (lib/libffi.a, include/ffi.h).
# Debian ships neither for mingw, so they are built from Debian's own source
# packages (`apt-get source`), which keeps the whole toolchain inside the
# distribution: no other download site, and versions that match the native
# libcmocka-dev/libffi-dev. If the machine has no deb-src entry, one is derived
# from its own `deb` entries (same mirrors, same suites), so no host is named here.
#
# Idempotent: a stamp file in <prefix> makes a second run do nothing. The build
# log goes to build/logs/deps-<triple>.log and its tail is shown on failure.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 <triple> <prefix>   (triple: x86_64-w64-mingw32 or i686-w64-mingw32)" >&2
  exit 2
fi
TRIPLE=$1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$2"
PREFIX=$(cd "$2" && pwd)
TOOLCHAIN=$ROOT/cmake/toolchain-$TRIPLE.cmake
SRC_CACHE=$ROOT/build/deps/src            # source packages, shared by both triples
WORK=$ROOT/build/deps/work-$TRIPLE
LOG=$ROOT/build/logs/deps-$TRIPLE.log
STAMP=$PREFIX/.bw-deps-stamp
STAMP_TEXT="cmocka+libffi static for $TRIPLE v1"

[ -f "$TOOLCHAIN" ] || { echo "build-deps: no toolchain file $TOOLCHAIN" >&2; exit 2; }

verify() {
  local f missing=0
  for f in include/cmocka.h lib/libcmocka-static.a include/ffi.h lib/libffi.a; do
    if [ ! -f "$PREFIX/$f" ]; then
      echo "build-deps: missing $PREFIX/$f" >&2
      missing=1
    fi
  done
  return $missing
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_TEXT" ] && verify 2>/dev/null; then
  echo "build-deps: $TRIPLE already built in $PREFIX"
  exit 0
fi

mkdir -p "$SRC_CACHE" "$(dirname "$LOG")"
: > "$LOG"

fail() {
  echo "build-deps: $*" >&2
  echo "---- last lines of $LOG ----" >&2
  tail -n 60 "$LOG" >&2 || true
  exit 1
}

# True when apt already knows some deb-src entry.
have_deb_src() {
  grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list && return 0
  grep -qsiE '^[[:space:]]*Types:.*\bdeb-src\b' /etc/apt/sources.list.d/*.sources && return 0
  return 1
}

# Writes deb-src entries mirroring the machine's deb entries.
add_deb_src() {
  [ "$(id -u)" = 0 ] || fail "no deb-src entry in apt's sources and not root: cannot add one"
  local f out
  # deb822 files: copy every stanza whose Types include "deb", as deb-src.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    case "$f" in *bitswatch-deb-src*) continue ;; esac
    out=/etc/apt/sources.list.d/bitswatch-deb-src-$(basename "$f")
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         {
           keep = 0; text = ""
           n = split($0, lines, "\n")
           for (i = 1; i <= n; i++) {
             line = lines[i]
             if (line ~ /^[Tt]ypes:/) {
               if (line ~ /[ \t]deb([ \t]|$)/) keep = 1
               line = "Types: deb-src"
             }
             text = text line "\n"
           }
           if (keep) printf "%s\n", text
         }' "$f" > "$out.tmp"
    if [ -s "$out.tmp" ]; then mv "$out.tmp" "$out"; else rm -f "$out.tmp"; fi
  done
  # One-line format: every "deb " line becomes a "deb-src " line.
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    case "$f" in *bitswatch-deb-src*) continue ;; esac
    out=/etc/apt/sources.list.d/bitswatch-deb-src-$(basename "$f")
    case "$out" in *.list) ;; *) out=$out.list ;; esac
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" > "$out.tmp"
    if [ -s "$out.tmp" ]; then mv "$out.tmp" "$out"; else rm -f "$out.tmp"; fi
  done
  have_deb_src || fail "could not derive a deb-src entry from apt's sources"
}

# Prints the path of the upstream tarball of source package $1, if downloaded.
orig_tarball() {
  find "$SRC_CACHE" -maxdepth 1 -name "$1_*.orig.tar.*" ! -name '*.asc' | sort | tail -n 1
}

fetch_sources() {
  if [ -n "$(orig_tarball cmocka)" ] && [ -n "$(orig_tarball libffi)" ]; then
    return 0
  fi
  have_deb_src || add_deb_src
  # The source lists may be stale or never fetched: update once on failure.
  if ! (cd "$SRC_CACHE" && apt-get source --download-only cmocka libffi) >>"$LOG" 2>&1; then
    [ "$(id -u)" = 0 ] || fail "apt-get source failed and not root: cannot apt-get update"
    echo "build-deps: apt-get update (source lists)"
    apt-get update >>"$LOG" 2>&1 || fail "apt-get update failed"
    (cd "$SRC_CACHE" && apt-get source --download-only cmocka libffi) >>"$LOG" 2>&1 \
      || fail "apt-get source --download-only cmocka libffi failed"
  fi
  [ -n "$(orig_tarball cmocka)" ] || fail "no cmocka upstream tarball in $SRC_CACHE"
  [ -n "$(orig_tarball libffi)" ] || fail "no libffi upstream tarball in $SRC_CACHE"
}

# Unpacks tarball $1 into directory $2 (fresh) and prints the source dir.
unpack() {
  rm -rf "$2"
  mkdir -p "$2"
  tar -xf "$1" -C "$2" >>"$LOG" 2>&1 || fail "cannot unpack $1"
  # Upstream tarballs hold one top directory (cmocka-1.1.5, libffi-3.4.4).
  find "$2" -mindepth 1 -maxdepth 1 -type d | head -n 1
}

build_cmocka() {
  local src
  src=$(unpack "$(orig_tarball cmocka)" "$WORK/cmocka-src")
  echo "build-deps: cmocka for $TRIPLE ($(basename "$src"))"
  # cmocka 1.1.5 always builds its DLL too; WITH_STATIC_LIB adds
  # libcmocka-static.a, which is what the tests link.
  {
    cmake -S "$src" -B "$WORK/cmocka-build" -G Ninja \
      -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" \
      -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_INSTALL_PREFIX="$PREFIX" \
      -DCMAKE_INSTALL_LIBDIR=lib \
      -DBUILD_SHARED_LIBS=OFF -DWITH_STATIC_LIB=ON \
      -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF &&
    cmake --build "$WORK/cmocka-build" &&
    cmake --install "$WORK/cmocka-build"
  } >>"$LOG" 2>&1 || fail "cmocka build for $TRIPLE failed"
}

build_libffi() {
  local src
  src=$(unpack "$(orig_tarball libffi)" "$WORK/libffi-src")
  echo "build-deps: libffi for $TRIPLE ($(basename "$src"))"
  mkdir -p "$WORK/libffi-build"
  # --disable-multi-os-directory keeps the library in lib/ (not lib/../lib64).
  {
    cd "$WORK/libffi-build" &&
    "$src/configure" --host="$TRIPLE" --prefix="$PREFIX" \
      --disable-shared --enable-static --disable-docs \
      --disable-multi-os-directory &&
    make -j"$(nproc)" &&
    make install
  } >>"$LOG" 2>&1 || fail "libffi build for $TRIPLE failed"
}

command -v "$TRIPLE-gcc" >/dev/null || fail "$TRIPLE-gcc not found (install mingw-w64)"
rm -f "$STAMP"
fetch_sources
rm -rf "$WORK"
mkdir -p "$WORK"
build_cmocka
build_libffi
verify || fail "the build finished but files are missing in $PREFIX"
echo "$STAMP_TEXT" > "$STAMP"
echo "build-deps: $TRIPLE done in $PREFIX"
