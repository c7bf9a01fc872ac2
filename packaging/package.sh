#!/usr/bin/env bash
# packaging/package.sh: builds BitsWatch for Windows (x64 and x86, Release, no
# tests) and writes
#   dist/BitsWatch/                  the module folder (what Install-Module puts
#                                    in a PSModulePath folder), with
#       BitsWatch.psd1 .psm1 *.ps1xml  (from ps/, by packaging/module_files.py:
#                                    the .psm1 with ps/Private/*.ps1 and
#                                    ps/Public/*.ps1 joined in)
#       BitsWatch.Native.dll         the module's P/Invoke declarations and
#                                    model, compiled (ps/src/BitsWatch.Native.csproj,
#                                    net462, deterministic; dotnet SDK)
#       src/*.cs                     its source, for reading (and what the
#                                    module compiles when the DLL is absent)
#       bin/win-x64/bitswatch.dll, bitswatch.exe                  (stripped)
#       bin/win-x86/bitswatch.dll, bitswatch.exe
#       include/bitswatch.h bitswatch_compat.h bitswatch_version.h
#       lib/win-x64/libbitswatch.dll.a, lib/win-x86/libbitswatch.dll.a
#                                    (import libraries for C/C++ callers; the
#                                    x86 one has the decorated _Name@N symbols)
#       README.md, LICENSE
#   dist/x64/, dist/x86/             each what `cmake --install` lays out, with
#                                    the same DLL, exe and import library bytes
#                                    as the module folder: bin/, lib/, include/,
#                                    lib/cmake/BitsWatch/ (find_package),
#                                    lib/pkgconfig/bitswatch.pc,
#                                    share/doc/BitsWatch/LICENSE
#   dist/BitsWatch-<version>.zip     BitsWatch/..., x64/..., x86/...
#   dist/BitsWatch.<version>.nupkg   PowerShell Gallery style package (the
#                                    module folder; license expression MIT)
#   dist/SHA256SUMS                  of the zip and the nupkg
# The version is project(... VERSION ...) of the top-level CMakeLists.txt.
#
# Signing (optional): given a code-signing certificate, every DLL and exe
# (bitswatch.dll, bitswatch.exe and the managed BitsWatch.Native.dll) gets an
# Authenticode signature and the module's PowerShell files (.psd1, .psm1,
# .ps1xml) a PowerShell signature block, both made by osslsigncode (2.7 or
# newer for the scripts). src/*.cs is no script (the module loads the signed
# DLL; only an import without it compiles the source) and has no signature
# format. Options, or the environment variables named:
#   --pkcs12 FILE       BW_SIGN_PKCS12     certificate and key, PKCS#12
#   --cert FILE         BW_SIGN_CERT       or: certificate (chain), PEM/DER
#   --key FILE          BW_SIGN_KEY            and its private key, PEM/DER
#   --pass-file FILE    BW_SIGN_PASS_FILE  password of the key / PKCS#12
#   --timestamp URL     BW_SIGN_TIMESTAMP  RFC 3161 timestamp server (optional;
#                                          without one a signature is valid
#                                          only while the certificate is)
# Unsigned (the default), the output is byte-reproducible: the DLLs and exes
# carry no timestamp (--no-insert-timestamp), source paths are mapped away
# (-ffile-prefix-map), and the zips have one fixed date (SOURCE_DATE_EPOCH,
# else the last commit's time, else 1980-01-01). A signature holds its signing
# time, so signed output differs from run to run.
#
# Needs: cmake, ninja, mingw-w64, python3, the dotnet SDK (its NuGet feed for
# the pinned reference packages); osslsigncode to sign (tests/run.sh installs
# them).
# Knobs: BW_PKG_BUILD (build dirs, default build/pkg), BW_DIST (default dist),
#        BW_JOBS (parallel jobs, default nproc), BW_NUGET_PACKAGES (NuGet
#        package folder, default build/tools/nuget-packages).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PKG_BUILD=${BW_PKG_BUILD:-$ROOT/build/pkg}
DIST=${BW_DIST:-$ROOT/dist}
JOBS=${BW_JOBS:-$(nproc)}
NAME=BitsWatch
LICENSE_EXPRESSION=MIT   # SPDX; LICENSE is its text (tests/package checks both)

SIGN_PKCS12=${BW_SIGN_PKCS12:-}
SIGN_CERT=${BW_SIGN_CERT:-}
SIGN_KEY=${BW_SIGN_KEY:-}
SIGN_PASS_FILE=${BW_SIGN_PASS_FILE:-}
SIGN_TIMESTAMP=${BW_SIGN_TIMESTAMP:-}
usage() {
  echo "usage: $0 [--pkcs12 FILE | --cert FILE --key FILE] [--pass-file FILE] [--timestamp URL]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage
  case $1 in
    --pkcs12) SIGN_PKCS12=$2 ;;
    --cert) SIGN_CERT=$2 ;;
    --key) SIGN_KEY=$2 ;;
    --pass-file) SIGN_PASS_FILE=$2 ;;
    --timestamp) SIGN_TIMESTAMP=$2 ;;
    *) usage ;;
  esac
  shift 2
done
SIGN=()   # osslsigncode's credential options; empty: no signing
if [ -n "$SIGN_PKCS12" ]; then
  [ -z "$SIGN_CERT$SIGN_KEY" ] || { echo "package: give --pkcs12 or --cert/--key, not both" >&2; exit 2; }
  SIGN=(-pkcs12 "$SIGN_PKCS12")
elif [ -n "$SIGN_CERT$SIGN_KEY" ]; then
  [ -n "$SIGN_CERT" ] && [ -n "$SIGN_KEY" ] || { echo "package: --cert and --key go together" >&2; exit 2; }
  SIGN=(-certs "$SIGN_CERT" -key "$SIGN_KEY")
fi
if [ ${#SIGN[@]} -gt 0 ]; then
  [ -z "$SIGN_PASS_FILE" ] || SIGN+=(-readpass "$SIGN_PASS_FILE")
  [ -z "$SIGN_TIMESTAMP" ] || SIGN+=(-ts "$SIGN_TIMESTAMP")
  command -v osslsigncode >/dev/null || { echo "package: signing needs osslsigncode" >&2; exit 1; }
  # PowerShell scripts are signed from osslsigncode 2.7 on (Debian 12's own is
  # 2.5; bookworm-backports and Debian 13 have newer ones).
  v=$(osslsigncode --version 2>&1 | sed -n 's/^osslsigncode \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | head -n 1)
  if [ -z "$v" ] || [ "${v% *}" -lt 2 ] || { [ "${v% *}" = 2 ] && [ "${v#* }" -lt 7 ]; }; then
    echo "package: osslsigncode ${v/ /.} cannot sign PowerShell scripts; 2.7 or newer is needed" >&2
    exit 1
  fi
elif [ -n "$SIGN_PASS_FILE$SIGN_TIMESTAMP" ]; then
  echo "package: --pass-file/--timestamp without a certificate" >&2; exit 2
fi

# sign_in_place FILE: an Authenticode signature (PE) or a PowerShell signature
# block (script); osslsigncode picks the format from the file.
sign_in_place() {
  local f=$1
  osslsigncode sign "${SIGN[@]}" -h sha256 -n "$NAME" -in "$f" -out "$f.signed" >"$f.sign.log" 2>&1 ||
    { cat "$f.sign.log" >&2; rm -f "$f.signed" "$f.sign.log"; echo "package: signing $f failed" >&2; return 1; }
  rm -f "$f.sign.log"
  mv "$f.signed" "$f"
  chmod 0644 "$f"
}

VERSION=$(sed -n 's/^project([^)]*VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt | head -n 1)
[ -n "$VERSION" ] || { echo "package: no project(... VERSION ...) in CMakeLists.txt" >&2; exit 1; }
[ -f LICENSE ] || { echo "package: the repository has no LICENSE" >&2; exit 1; }

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 315532800)
fi
export SOURCE_DATE_EPOCH

build() {   # build ARCH TRIPLE: build, then `cmake --install` to PKG_BUILD/install-ARCH
  local dir=$PKG_BUILD/$1
  echo "package: building $1 (Release) in $dir"
  cmake -S "$ROOT" -B "$dir" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-$2.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
    "-DCMAKE_C_FLAGS=-ffile-prefix-map=$ROOT=. -ffile-prefix-map=$dir=build" \
    >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log" >&2; return 1; }
  cmake --build "$dir" -j "$JOBS" --target bitswatch bitswatch_cli >"$dir.build.log" 2>&1 ||
    { tail -n 60 "$dir.build.log" >&2; return 1; }
  rm -rf "$PKG_BUILD/install-$1"
  cmake --install "$dir" --prefix "$PKG_BUILD/install-$1" >"$dir.install.log" 2>&1 ||
    { cat "$dir.install.log" >&2; return 1; }
}

mkdir -p "$PKG_BUILD"
build x64 x86_64-w64-mingw32
build x86 i686-w64-mingw32

# The module's assembly. Deterministic and without a PDB, so its bytes name
# no path and do not depend on where it was built; obj/ and bin/ stay under
# PKG_BUILD (artifacts path), not in ps/src.
NUGET_PACKAGES_DIR=${BW_NUGET_PACKAGES:-$ROOT/build/tools/nuget-packages}
echo "package: building BitsWatch.Native.dll (dotnet, Release)"
rm -rf "$PKG_BUILD/assembly"
mkdir -p "$PKG_BUILD/assembly" "$NUGET_PACKAGES_DIR"
dotnet build "$ROOT/ps/src/BitsWatch.Native.csproj" -c Release -nologo \
  --artifacts-path "$PKG_BUILD/assembly" --packages "$NUGET_PACKAGES_DIR" "-p:Version=$VERSION" \
  >"$PKG_BUILD/assembly.build.log" 2>&1 || { tail -n 40 "$PKG_BUILD/assembly.build.log" >&2; exit 1; }
ASSEMBLY=$PKG_BUILD/assembly/bin/BitsWatch.Native/release/BitsWatch.Native.dll
[ -f "$ASSEMBLY" ] || { echo "package: dotnet build wrote no $ASSEMBLY" >&2; exit 1; }

MOD=$DIST/$NAME
rm -rf "$MOD" "$DIST/x64" "$DIST/x86" "$DIST/$NAME-"*.zip "$DIST/$NAME."*.nupkg "$DIST/SHA256SUMS"
mkdir -p "$MOD/include"

# Module files: whatever ps/ has of the four kinds, the function files joined
# into the .psm1 (one script to sign and to verify at import).
python3 packaging/module_files.py ps "$MOD"
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
    [ ${#SIGN[@]} = 0 ] || sign_in_place "$MOD/bin/win-$arch/$f"
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

  # The installed prefix, with the module's (stripped, signed) images and
  # import library in place of the build's: one set of bytes per file.
  P=$DIST/$arch
  cp -R "$PKG_BUILD/install-$arch" "$P"
  install -m 0644 "$MOD/bin/win-$arch/bitswatch.dll" "$MOD/bin/win-$arch/bitswatch.exe" "$P/bin/"
  install -m 0644 "$MOD/lib/win-$arch/libbitswatch.dll.a" "$P/lib/libbitswatch.dll.a"
  find "$P" -type f -exec chmod 0644 {} +
done
install -m 0644 dll/include/bitswatch.h dll/include/bitswatch_compat.h \
  "$PKG_BUILD/x64/dll/include/bitswatch_version.h" "$MOD/include/"
install -m 0644 "$ASSEMBLY" "$MOD/BitsWatch.Native.dll"
[ ${#SIGN[@]} = 0 ] || sign_in_place "$MOD/BitsWatch.Native.dll"
install -m 0644 README.md "$MOD/README.md"
install -m 0644 LICENSE "$MOD/LICENSE"
if [ ${#SIGN[@]} -gt 0 ]; then
  for f in "$MOD"/*.psd1 "$MOD"/*.psm1 "$MOD"/*.ps1xml; do
    if [ -f "$f" ]; then sign_in_place "$f"; fi
  done
  echo "package: signed $(find "$DIST/$NAME" -name '*.dll' -o -name '*.exe' | wc -l) images and" \
    "$(ls "$MOD"/*.psd1 "$MOD"/*.psm1 "$MOD"/*.ps1xml 2>/dev/null | wc -l) module scripts"
fi

ZIP=$DIST/$NAME-$VERSION.zip
NUPKG=$DIST/$NAME.$VERSION.nupkg
python3 packaging/pkgtool.py zip "$MOD" "$ZIP" --prefix "$NAME" \
  --add "$DIST/x64" x64 --add "$DIST/x86" x86
python3 packaging/pkgtool.py nupkg "$MOD" "$NUPKG" --license "$LICENSE_EXPRESSION"
(cd "$DIST" && sha256sum "$(basename "$ZIP")" "$(basename "$NUPKG")" > SHA256SUMS)

echo "package: $NAME $VERSION"
(cd "$DIST" && cat SHA256SUMS)
