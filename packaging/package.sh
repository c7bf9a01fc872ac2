#!/usr/bin/env bash
# packaging/package.sh: builds BitsWatch for Windows (x64 and x86, Release, no
# tests) and writes
#   dist/BitsWatch/                  the module folder (what Install-Module puts
#                                    in a PSModulePath folder), with
#       BitsWatch.psd1 .psm1 .format.ps1xml BitsWatch.Native.cs   (from ps/)
#       bin/win-x64/bitswatch.dll, bitswatch.exe                  (stripped)
#       bin/win-x86/bitswatch.dll, bitswatch.exe
#       include/bitswatch.h bitswatch_compat.h bitswatch_version.h
#       lib/win-x64/libbitswatch.dll.a, lib/win-x86/libbitswatch.dll.a
#                                    (import libraries for C/C++ callers; the
#                                    x86 one has the decorated _Name@N symbols)
#       README.md, LICENSE (when the repository has one)
#   dist/BitsWatch-<version>.zip     that folder, as BitsWatch/...
#   dist/BitsWatch.<version>.nupkg   PowerShell Gallery style package
#   dist/SHA256SUMS                  of the zip and the nupkg
# The version is project(... VERSION ...) of the top-level CMakeLists.txt.
#
# Reproducible: the DLLs and exes carry no timestamp (--no-insert-timestamp),
# source paths are mapped away (-ffile-prefix-map), and the zips have one fixed
# date (SOURCE_DATE_EPOCH, else the last commit's time, else 1980-01-01).
#
# Needs: cmake, ninja, mingw-w64, python3 (tests/run.sh installs them).
# Knobs: BW_PKG_BUILD (build dirs, default build/pkg), BW_DIST (default dist),
#        BW_JOBS (parallel jobs, default nproc).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PKG_BUILD=${BW_PKG_BUILD:-$ROOT/build/pkg}
DIST=${BW_DIST:-$ROOT/dist}
JOBS=${BW_JOBS:-$(nproc)}
NAME=BitsWatch

VERSION=$(sed -n 's/^project([^)]*VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt | head -n 1)
[ -n "$VERSION" ] || { echo "package: no project(... VERSION ...) in CMakeLists.txt" >&2; exit 1; }

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 315532800)
fi
export SOURCE_DATE_EPOCH

build() {   # build ARCH TRIPLE
  local dir=$PKG_BUILD/$1
  echo "package: building $1 (Release) in $dir"
  cmake -S "$ROOT" -B "$dir" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$2.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DBW_BUILD_TESTS=OFF \
    "-DCMAKE_C_FLAGS=-ffile-prefix-map=$ROOT=. -ffile-prefix-map=$dir=build" \
    >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log" >&2; return 1; }
  cmake --build "$dir" -j "$JOBS" --target bitswatch bitswatch_cli >"$dir.build.log" 2>&1 ||
    { tail -n 60 "$dir.build.log" >&2; return 1; }
}

mkdir -p "$PKG_BUILD"
build x64 x86_64-w64-mingw32
build x86 i686-w64-mingw32

MOD=$DIST/$NAME
rm -rf "$MOD" "$DIST/$NAME-"*.zip "$DIST/$NAME."*.nupkg "$DIST/SHA256SUMS"
mkdir -p "$MOD/include"

# Module files: whatever ps/ has of the four kinds.
found=0
for f in ps/*.psd1 ps/*.psm1 ps/*.ps1xml ps/*.cs; do
  [ -f "$f" ] || continue
  install -m 0644 "$f" "$MOD/"
  found=1
done
[ $found = 1 ] || echo "package: warning: ps/ has no module files" >&2
if [ -f "$MOD/$NAME.psd1" ] && ! grep -Eq "ModuleVersion *= *'$VERSION'" "$MOD/$NAME.psd1"; then
  echo "package: $NAME.psd1's ModuleVersion is not $VERSION (CMakeLists.txt)" >&2
  exit 1
fi

for arch in x64 x86; do
  triple=$([ $arch = x64 ] && echo x86_64-w64-mingw32 || echo i686-w64-mingw32)
  b=$PKG_BUILD/$arch
  mkdir -p "$MOD/bin/win-$arch" "$MOD/lib/win-$arch"
  for f in bitswatch.dll bitswatch.exe; do
    # strip (objcopy) rewrites the PE header's TimeDateStamp with the current
    # time, or with SOURCE_DATE_EPOCH when set: 0 keeps the linker's zero
    # (--no-insert-timestamp). tests/package checks it.
    # --strip-all: the symbol table would keep names dlltool derives from the
    # import library's path (__head_<path>_libbitswatch_dll_a).
    SOURCE_DATE_EPOCH=0 "$triple-strip" --strip-all -o "$MOD/bin/win-$arch/$f" "$b/bin/$f"
    chmod 0644 "$MOD/bin/win-$arch/$f"
  done
  if [ $arch = x86 ]; then
    # The build's x86 import library (cmake/x86-import-library.cmake) names its
    # members after its absolute path; made again here from the same decorated
    # .def with a relative name, its bytes do not depend on where we built.
    tmp=$(mktemp -d)
    (cd "$tmp" && "$triple-dlltool" -k -d "$b/dll/bitswatch-x86-decorated.def" \
      -D bitswatch.dll -l libbitswatch.dll.a)
    install -m 0644 "$tmp/libbitswatch.dll.a" "$MOD/lib/win-$arch/libbitswatch.dll.a"
    rm -rf "$tmp"
  else
    install -m 0644 "$b/dll/libbitswatch.dll.a" "$MOD/lib/win-$arch/libbitswatch.dll.a"
  fi
done
install -m 0644 dll/include/bitswatch.h dll/include/bitswatch_compat.h \
  "$PKG_BUILD/x64/dll/include/bitswatch_version.h" "$MOD/include/"
install -m 0644 README.md "$MOD/README.md"
if [ -f LICENSE ]; then
  install -m 0644 LICENSE "$MOD/LICENSE"
else
  echo "package: warning: the repository has no LICENSE file; the package ships without one" >&2
fi

ZIP=$DIST/$NAME-$VERSION.zip
NUPKG=$DIST/$NAME.$VERSION.nupkg
python3 packaging/pkgtool.py zip "$MOD" "$ZIP" --prefix "$NAME"
python3 packaging/pkgtool.py nupkg "$MOD" "$NUPKG"
(cd "$DIST" && sha256sum "$(basename "$ZIP")" "$(basename "$NUPKG")" > SHA256SUMS)

echo "package: $NAME $VERSION"
(cd "$DIST" && cat SHA256SUMS)
