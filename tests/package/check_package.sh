#!/usr/bin/env bash
# tests/package/check_package.sh: runs packaging/package.sh and checks what it
# made, then builds again in another directory and compares the bytes.
#   - the zip holds exactly BitsWatch/<the module layout> and x64/, x86/ (what
#     `cmake --install` lays out); the nupkg the module files at its root plus
#     BitsWatch.nuspec, [Content_Types].xml, _rels/.rels and one
#     package/services/metadata/core-properties/*.psmdcp;
#   - x64/ and x86/ carry the module's DLL, exe, import library, headers and
#     LICENSE byte for byte, a CMake package that tests/consumer builds against
#     (find_package(BitsWatch CONFIG REQUIRED)) and a bitswatch.pc, and name no
#     build path;
#   - the license agrees everywhere: LICENSE is the MIT text, the nuspec's
#     <license type="expression">MIT</license>, the manifest's Copyright, the
#     nuspec's copyright and the LegalCopyright of each DLL and exe name the
#     same holder and MIT (no "All rights reserved");
#   - the version agrees everywhere: CMakeLists.txt project(), the manifest's
#     ModuleVersion, the nuspec and psmdcp <version>, bitswatch_version.h, and
#     each DLL's and exe's VERSIONINFO (fixed file/product version V.0 and the
#     FileVersion/ProductVersion strings V);
#   - SHA256SUMS verifies;
#   - each DLL/exe is the right machine, has TimeDateStamp 0, and imports only
#     system DLLs (the exes also bitswatch.dll): no libgcc, libwinpthread...;
#   - the packaged DLLs export exactly def/bitswatch.def, and the x86 DLL and
#     import library pass tests/check_x86_abi.py;
#   - a second build from a copy of the sources at another path, in another
#     build directory, gives identical DLL, exe, zip and nupkg bytes;
#   - signed packaging (tests/package/check_signing.sh, on build 1's tree).
# Both builds run from one snapshot of the sources, copied to two paths: the
# committed tree (git archive HEAD) in a git clone, what a release from a clean
# clone ships, so edits in progress cannot break or skew the comparison; the
# directory as it is otherwise (or with BW_PKG_SOURCE=tree). Output under
# BW_PACKAGE_TEST_WORK (default build/package-test). Exit 0 when all hold.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
WORK=${BW_PACKAGE_TEST_WORK:-$ROOT/build/package-test}
OBJDUMP=${OBJDUMP:-x86_64-w64-mingw32-objdump}
FAILS=0
fail() { echo "check_package: FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "check_package: ok: $*"; }

VERSION=$(sed -n 's/^project([^)]*VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt | head -n 1)
[ -n "$VERSION" ] || { echo "check_package: no version in CMakeLists.txt" >&2; exit 1; }
NAME=BitsWatch
ZIPNAME=$NAME-$VERSION.zip
NUPKGNAME=$NAME.$VERSION.nupkg

rm -rf "$WORK"
mkdir -p "$WORK/src1"
if [ "${BW_PKG_SOURCE:-head}" = head ] && git -C "$ROOT" rev-parse --verify -q HEAD >/dev/null; then
  echo "check_package: sources: git HEAD $(git -C "$ROOT" rev-parse --short HEAD)"
  git -C "$ROOT" archive HEAD | tar -C "$WORK/src1" -xf -
else
  echo "check_package: sources: the directory as it is"
  tar -C "$ROOT" --exclude=./build --exclude=./dist --exclude=./.git -cf - . | tar -C "$WORK/src1" -xf -
fi
cp -a "$WORK/src1" "$WORK/src2"
# A fixed date for both builds: the comparison is about the build, not the clock.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}

# The NuGet packages the assembly's build restores (pinned in its .csproj):
# one folder for both builds, this checkout's.
export BW_NUGET_PACKAGES=${BW_NUGET_PACKAGES:-$ROOT/build/tools/nuget-packages}

echo "check_package: build 1"
BW_DIST=$WORK/dist1 BW_PKG_BUILD=$WORK/pkg1 bash "$WORK/src1/packaging/package.sh" >"$WORK/package1.log" 2>&1 ||
  { tail -n 40 "$WORK/package1.log"; echo "check_package: package.sh failed" >&2; exit 1; }
D=$WORK/dist1
for f in "$ZIPNAME" "$NUPKGNAME" SHA256SUMS; do
  [ -f "$D/$f" ] || fail "package.sh did not write $f"
done

# ---- checksums
if (cd "$D" && sha256sum --quiet -c SHA256SUMS); then
  ok "SHA256SUMS verifies ($(wc -l < "$D/SHA256SUMS") files)"
else
  fail "SHA256SUMS does not verify"
fi
grep -q " $ZIPNAME\$" "$D/SHA256SUMS" && grep -q " $NUPKGNAME\$" "$D/SHA256SUMS" ||
  fail "SHA256SUMS does not list both $ZIPNAME and $NUPKGNAME"

# ---- layout
# The module files are whatever ps/ has of the kinds package.sh copies.
EXPECTED=(
  bin/win-x64/bitswatch.dll bin/win-x64/bitswatch.exe
  bin/win-x86/bitswatch.dll bin/win-x86/bitswatch.exe
  include/bitswatch.h include/bitswatch_compat.h include/bitswatch_version.h
  lib/win-x64/libbitswatch.dll.a lib/win-x86/libbitswatch.dll.a
  README.md LICENSE
)
for f in "$WORK/src1"/ps/*.psd1 "$WORK/src1"/ps/*.psm1 "$WORK/src1"/ps/*.ps1xml; do
  [ -f "$f" ] && EXPECTED+=("$(basename "$f")")
done
# The compiled assembly, and its source for reading (src/).
EXPECTED+=(BitsWatch.Native.dll)
for f in "$WORK/src1"/ps/src/*.cs; do
  [ -f "$f" ] && EXPECTED+=("src/$(basename "$f")")
done
for f in BitsWatch.psd1 BitsWatch.psm1 BitsWatch.format.ps1xml src/Interop.cs src/BitsWatch.Native.csproj; do
  [ -f "$WORK/src1/ps/$f" ] || fail "ps/$f is missing"
done
[ -f "$WORK/src1/LICENSE" ] || fail "the sources have no LICENSE"
printf '%s\n' "${EXPECTED[@]}" | LC_ALL=C sort > "$WORK/expected.txt"
# What `cmake --install` lays out, under x64/ and x86/ in the zip.
PREFIX_FILES=(
  bin/bitswatch.dll bin/bitswatch.exe
  include/bitswatch.h include/bitswatch_compat.h include/bitswatch_version.h
  lib/libbitswatch.dll.a lib/pkgconfig/bitswatch.pc
  lib/cmake/BitsWatch/BitsWatchConfig.cmake lib/cmake/BitsWatch/BitsWatchConfigVersion.cmake
  lib/cmake/BitsWatch/BitsWatchTargets.cmake lib/cmake/BitsWatch/BitsWatchTargets-release.cmake
  share/doc/BitsWatch/LICENSE
)

mkdir -p "$WORK/zip" "$WORK/nupkg"
unzip -q "$D/$ZIPNAME" -d "$WORK/zip" || fail "unzip $ZIPNAME"
unzip -q "$D/$NUPKGNAME" -d "$WORK/nupkg" || fail "unzip $NUPKGNAME"

(cd "$WORK/zip" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) > "$WORK/zip.txt"
{ sed "s|^|$NAME/|" "$WORK/expected.txt"
  printf 'x64/%s\n' "${PREFIX_FILES[@]}"; printf 'x86/%s\n' "${PREFIX_FILES[@]}"; } |
  LC_ALL=C sort > "$WORK/zip-expected.txt"
if diff -u "$WORK/zip-expected.txt" "$WORK/zip.txt" >"$WORK/zip.diff"; then
  ok "zip layout: $NAME/ with ${#EXPECTED[@]} files, x64/ and x86/ with ${#PREFIX_FILES[@]} each"
else
  fail "zip layout differs (- expected, + found):"; cat "$WORK/zip.diff" >&2
fi

(cd "$WORK/nupkg" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) > "$WORK/nupkg.txt"
PSMDCP=$(grep -E '^package/services/metadata/core-properties/[^/]+\.psmdcp$' "$WORK/nupkg.txt" || true)
[ "$(printf '%s' "$PSMDCP" | grep -c .)" = 1 ] || fail "nupkg: want exactly one core-properties .psmdcp, found: '$PSMDCP'"
{ cat "$WORK/expected.txt"; printf '%s\n' "$NAME.nuspec" "[Content_Types].xml" "_rels/.rels" $PSMDCP; } |
  LC_ALL=C sort > "$WORK/nupkg-expected.txt"
if diff -u "$WORK/nupkg-expected.txt" "$WORK/nupkg.txt" >"$WORK/nupkg.diff"; then
  ok "nupkg layout: module at the root, nuspec, [Content_Types].xml, _rels/.rels, psmdcp"
else
  fail "nupkg layout differs (- expected, + found):"; cat "$WORK/nupkg.diff" >&2
fi
for f in $(cat "$WORK/expected.txt"); do
  cmp -s "$WORK/zip/$NAME/$f" "$WORK/nupkg/$f" || fail "$f differs between the zip and the nupkg"
done

# ---- x64/ and x86/: installed prefixes, usable from where they are unpacked
for arch in x64 x86; do
  P=$WORK/zip/$arch
  triple=$([ $arch = x64 ] && echo x86_64-w64-mingw32 || echo i686-w64-mingw32)
  same=0
  for pair in "bin/bitswatch.dll bin/win-$arch/bitswatch.dll" "bin/bitswatch.exe bin/win-$arch/bitswatch.exe" \
      "lib/libbitswatch.dll.a lib/win-$arch/libbitswatch.dll.a" "include/bitswatch.h include/bitswatch.h" \
      "include/bitswatch_compat.h include/bitswatch_compat.h" \
      "include/bitswatch_version.h include/bitswatch_version.h" "share/doc/BitsWatch/LICENSE LICENSE"; do
    read -r mine theirs <<<"$pair"
    if cmp -s "$P/$mine" "$WORK/zip/$NAME/$theirs"; then same=$((same + 1)); else fail "$arch/$mine is not $NAME/$theirs"; fi
  done
  [ $same = 7 ] && ok "$arch/: DLL, exe, import library, headers and LICENSE are the module folder's bytes"
  if grep -rlF -e "$ROOT" -e "$WORK" "$P/lib/cmake" "$P/lib/pkgconfig" >"$WORK/paths.txt"; then
    fail "$arch/: files name a build path: $(tr '\n' ' ' <"$WORK/paths.txt")"
  fi
  pcv=$(PKG_CONFIG_LIBDIR=$P/lib/pkgconfig PKG_CONFIG_PATH= pkg-config --modversion bitswatch 2>&1)
  pcinc=$(PKG_CONFIG_LIBDIR=$P/lib/pkgconfig PKG_CONFIG_PATH= pkg-config --variable=includedir bitswatch 2>&1)
  if [ "$pcv" = "$VERSION" ] && [ -f "$pcinc/bitswatch.h" ]; then
    ok "$arch/lib/pkgconfig/bitswatch.pc: version $VERSION, include dir found from where it lies"
  else
    fail "$arch/lib/pkgconfig/bitswatch.pc: version '$pcv', includedir '$pcinc'"
  fi
  # find_package(BitsWatch CONFIG REQUIRED) from the unpacked zip.
  c=$WORK/consumer-$arch
  if cmake -S "$WORK/src1/tests/consumer" -B "$c" -G Ninja -DCMAKE_BUILD_TYPE=Release \
       -DCMAKE_TOOLCHAIN_FILE="$WORK/src1/cmake/toolchain-$triple.cmake" \
       -DCMAKE_PREFIX_PATH="$P" -DBW_EXPECT_VERSION="$VERSION" >"$c.log" 2>&1 &&
     cmake --build "$c" >>"$c.log" 2>&1 && [ -f "$c/consumer.exe" ] && cmp -s "$c/bitswatch.dll" "$P/bin/bitswatch.dll"; then
    ok "$arch/: tests/consumer builds with find_package(BitsWatch CONFIG REQUIRED) against it"
  else
    fail "$arch/: tests/consumer does not build against it:"; tail -n 20 "$c.log" >&2
  fi
done

# ---- the license agrees everywhere
python3 - "$WORK" "$NAME" <<'EOF' || FAILS=$((FAILS + 1))
import json, os, re, subprocess, sys
import xml.etree.ElementTree as ET
work, name = sys.argv[1:3]
z = os.path.join(work, "zip", name)
bad = []
text = open(os.path.join(z, "LICENSE"), encoding="utf-8").read()
m = re.search(r"^Copyright \(c\) (.+?)\s*$", text, re.M)
holder = m.group(1) if m else None
if text.splitlines()[0].strip() != "MIT License" or not holder or \
        "Permission is hereby granted, free of charge" not in text or \
        'THE SOFTWARE IS PROVIDED "AS IS"' not in text:
    bad.append("LICENSE is not the MIT License text with a 'Copyright (c) <holder>' line")
holder = holder or "?"
ns = {"n": "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd"}
spec = ET.parse(os.path.join(work, "nupkg", name + ".nuspec")).getroot()
lic = spec.find("n:metadata/n:license", ns)
if lic is None or lic.get("type") != "expression" or lic.text != "MIT":
    bad.append("the nuspec has no <license type=\"expression\">MIT</license>")
tool = os.path.join("packaging", "pkgtool.py")
def run(*a):
    return json.loads(subprocess.run([sys.executable, tool] + list(a), check=True,
                                     capture_output=True, text=True).stdout)
found = {"manifest Copyright": run("manifest", os.path.join(z, name + ".psd1"))["Copyright"],
         "nuspec copyright": spec.findtext("n:metadata/n:copyright", namespaces=ns)}
if found["manifest Copyright"] != found["nuspec copyright"]:
    bad.append("the nuspec's copyright %r is not the manifest's %r" % (found["nuspec copyright"],
                                                                      found["manifest Copyright"]))
for arch in ("x64", "x86"):
    for f in ("bitswatch.dll", "bitswatch.exe"):
        found["%s/%s LegalCopyright" % (arch, f)] = run(
            "versioninfo", os.path.join(z, "bin", "win-" + arch, f))["strings"].get("LegalCopyright")
for k, v in sorted(found.items()):
    if not v or holder not in v or "MIT" not in v or "all rights reserved" in v.lower():
        bad.append("%s is %r: want the holder %r and MIT, no 'All rights reserved'" % (k, v, holder))
for b in bad:
    print("check_package: FAIL: " + b, file=sys.stderr)
if not bad:
    print("check_package: ok: MIT everywhere: LICENSE (Copyright (c) %s), nuspec license expression, "
          "and %d copyright lines (manifest, nuspec, 4 VERSIONINFOs)" % (holder, len(found)))
sys.exit(1 if bad else 0)
EOF

# ---- versions and OPC parts
python3 - "$WORK" "$NAME" "$VERSION" "$PSMDCP" <<'EOF' || FAILS=$((FAILS + 1))
import json, os, re, subprocess, sys
import xml.etree.ElementTree as ET
work, name, version, psmdcp = sys.argv[1:5]
z = os.path.join(work, "zip", name)
n = os.path.join(work, "nupkg")
bad = []
tool = os.path.join("packaging", "pkgtool.py")
def run(*a):
    return json.loads(subprocess.run([sys.executable, tool] + list(a), check=True,
                                     capture_output=True, text=True).stdout)
found = {}
found["manifest ModuleVersion"] = run("manifest", os.path.join(z, name + ".psd1"))["ModuleVersion"]
ns = {"n": "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd"}
spec = ET.parse(os.path.join(n, name + ".nuspec")).getroot()
found["nuspec version"] = spec.findtext("n:metadata/n:version", namespaces=ns)
if spec.findtext("n:metadata/n:id", namespaces=ns) != name:
    bad.append("nuspec id is not %s" % name)
if not spec.findtext("n:metadata/n:description", namespaces=ns):
    bad.append("nuspec has no description")
tags = (spec.findtext("n:metadata/n:tags", namespaces=ns) or "").split()
if "PSModule" not in tags:
    bad.append("nuspec tags lack PSModule (the Gallery's module marker)")
core = ET.parse(os.path.join(n, psmdcp)).getroot()
found["psmdcp version"] = core.findtext(
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}version")
rels = ET.parse(os.path.join(n, "_rels", ".rels")).getroot()
targets = {r.get("Target") for r in rels}
for t in ("/%s.nuspec" % name, "/" + psmdcp):
    if t not in targets:
        bad.append("_rels/.rels has no relationship to %s" % t)
ct = ET.parse(os.path.join(n, "[Content_Types].xml")).getroot()
exts = {d.get("Extension") for d in ct}
for x in ("rels", "psmdcp", "nuspec", "psd1", "dll"):
    if x not in exts:
        bad.append("[Content_Types].xml has no Default for .%s" % x)
h = open(os.path.join(z, "include", "bitswatch_version.h")).read()
parts = [re.search(r"#define\s+BW_VERSION_%s\s+(\d+)" % k, h) for k in ("MAJOR", "MINOR", "PATCH")]
found["bitswatch_version.h"] = ".".join(p.group(1) for p in parts) if all(parts) else None
for arch in ("x64", "x86"):
    for f in ("bitswatch.dll", "bitswatch.exe"):
        vi = run("versioninfo", os.path.join(z, "bin", "win-" + arch, f))
        key = "%s/%s" % (arch, f)
        if vi["machine"] != arch:
            bad.append("%s is a %s image" % (key, vi["machine"]))
        found[key + " FILEVERSION"] = vi["FixedFileVersion"]
        found[key + " PRODUCTVERSION"] = vi["FixedProductVersion"]
        found[key + " FileVersion"] = vi["strings"].get("FileVersion")
        found[key + " ProductVersion"] = vi["strings"].get("ProductVersion")
for k, v in sorted(found.items()):
    want = version + ".0" if k.endswith("VERSION") and k.split()[-1].isupper() else version
    if v != want:
        bad.append("%s is %r, want %r" % (k, v, want))
for b in bad:
    print("check_package: FAIL: " + b, file=sys.stderr)
if not bad:
    print("check_package: ok: version %s in manifest, nuspec, psmdcp, header and the "
          "VERSIONINFO of 4 images (%d places)" % (version, len(found)))
sys.exit(1 if bad else 0)
EOF

# ---- the module's assembly: .NET Framework 4.6.2, the project's version, no build path
python3 - "$WORK/zip/$NAME/BitsWatch.Native.dll" "$VERSION" "$WORK" "$ROOT" <<'EOF' || FAILS=$((FAILS + 1))
import struct, sys
path, version, work, root = sys.argv[1:5]
d = open(path, "rb").read()
bad = []
pe = struct.unpack_from("<I", d, 0x3C)[0]
if d[:2] != b"MZ" or d[pe:pe + 4] != b"PE\0\0":
    bad.append("not a PE image")
else:
    magic = struct.unpack_from("<H", d, pe + 24)[0]
    # the CLI header: data directory 14 of the optional header
    dirs = pe + 24 + (96 if magic == 0x10B else 112)
    rva, size = struct.unpack_from("<II", d, dirs + 14 * 8)
    if rva == 0 or size == 0:
        bad.append("no CLI header: not a .NET assembly")
if b".NETFramework,Version=v4.6.2" not in d:
    bad.append("no TargetFramework .NETFramework,Version=v4.6.2")
if version.encode() not in d:
    bad.append("the version %s is not in it" % version)
for p in (work, root, "/home/", "/tmp/"):
    if p.encode() in d or p.encode("utf-16-le") in d:
        bad.append("it names the path %s" % p)
for b in bad:
    print("check_package: FAIL: BitsWatch.Native.dll: " + b, file=sys.stderr)
if not bad:
    print("check_package: ok: BitsWatch.Native.dll is a .NET Framework 4.6.2 assembly of version %s naming no build path" % version)
sys.exit(1 if bad else 0)
EOF

# ---- images: imports, timestamp
ALLOWED='^(kernel32|ole32|oleaut32|advapi32|msvcrt|user32|shell32|shlwapi|rpcrt4|ntdll|version|ucrtbase|api-ms-win-[a-z0-9-]+)\.dll$'
for arch in x64 x86; do
  for f in bitswatch.dll bitswatch.exe; do
    img=$WORK/zip/$NAME/bin/win-$arch/$f
    "$OBJDUMP" -p "$img" > "$WORK/objdump.txt" || { fail "objdump -p $arch/$f"; continue; }
    imports=$(awk '/DLL Name:/ {print tolower($3)}' "$WORK/objdump.txt" | LC_ALL=C sort -u | tr '\n' ' ')
    bad=""
    for dll in $imports; do
      if ! [[ $dll =~ $ALLOWED ]] && ! { [ "$f" = bitswatch.exe ] && [ "$dll" = bitswatch.dll ]; }; then
        bad="$bad $dll"
      fi
    done
    [ -n "$imports" ] || fail "$arch/$f: no imports found (objdump output changed?)"
    [ -z "$bad" ] || fail "$arch/$f imports non-system DLLs:$bad"
    stamp=$(awk '/^Time\/Date/ {print; exit}' "$WORK/objdump.txt")
    python3 - "$img" <<'EOF' || fail "$arch/$f: the PE TimeDateStamp is not 0 ($stamp)"
import struct, sys
d = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", d, 0x3C)[0]
sys.exit(0 if struct.unpack_from("<I", d, pe + 8)[0] == 0 else 1)
EOF
    [ -z "$bad" ] && ok "$arch/$f imports only: $imports"
  done
  bash tests/check_exports.sh "$WORK/zip/$NAME/bin/win-$arch/bitswatch.dll" "$WORK/src1/def/bitswatch.def" ||
    fail "$arch: exports of the packaged DLL"
done
python3 tests/check_x86_abi.py --dll "$WORK/zip/$NAME/bin/win-x86/bitswatch.dll" \
  --implib "$WORK/zip/$NAME/lib/win-x86/libbitswatch.dll.a" \
  --header "$WORK/zip/$NAME/include/bitswatch.h" --def "$WORK/src1/def/bitswatch.def" >/dev/null ||
  fail "the packaged x86 DLL/import library fail tests/check_x86_abi.py"

# ---- reproducible: a second, clean build elsewhere
echo "check_package: build 2 (sources and build at other paths)"
BW_DIST=$WORK/dist2 BW_PKG_BUILD=$WORK/pkg2 bash "$WORK/src2/packaging/package.sh" >"$WORK/package2.log" 2>&1 ||
  { tail -n 40 "$WORK/package2.log"; fail "package.sh (second build) failed"; }
same=0
for f in bin/win-x64/bitswatch.dll bin/win-x64/bitswatch.exe bin/win-x86/bitswatch.dll bin/win-x86/bitswatch.exe \
    BitsWatch.Native.dll; do
  if cmp -s "$D/$NAME/$f" "$WORK/dist2/$NAME/$f"; then
    same=$((same + 1))
  else
    fail "$f differs between two builds"
  fi
done
[ $same = 5 ] && ok "two builds give identical DLLs, exes and BitsWatch.Native.dll ($(sha256sum "$D/$NAME/bin/win-x64/bitswatch.dll" | cut -c1-16)... for x64)"
if cmp -s "$D/SHA256SUMS" "$WORK/dist2/SHA256SUMS"; then
  ok "two builds give identical zip and nupkg"
else
  fail "the zip or nupkg differs between two builds"; diff "$D/SHA256SUMS" "$WORK/dist2/SHA256SUMS" >&2
fi
# ---- signed: build 1's tree packaged again with a throwaway certificate
echo "check_package: signing (tests/package/check_signing.sh)"
if BW_SIGNING_TEST_WORK=$WORK/signing bash "$WORK/src1/tests/package/check_signing.sh" \
     "$WORK/src1" "$WORK/pkg1" >"$WORK/signing.log" 2>&1; then
  grep '^check_signing: ok' "$WORK/signing.log"
else
  cat "$WORK/signing.log" >&2
  fail "signed packaging (tests/package/check_signing.sh)"
fi
rm -rf "$WORK/pkg1" "$WORK/pkg2" "$WORK/src1" "$WORK/src2"

if [ $FAILS -ne 0 ]; then
  echo "check_package: $FAILS check(s) failed"
  exit 1
fi
echo "check_package: all checks passed"
