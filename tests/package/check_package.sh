#!/usr/bin/env bash
# tests/package/check_package.sh: runs packaging/package.sh and checks what it
# made, then builds again in another directory and compares the bytes.
#   - the zip holds exactly BitsWatch/<the module layout>; the nupkg the same
#     files at its root plus BitsWatch.nuspec, [Content_Types].xml, _rels/.rels
#     and one package/services/metadata/core-properties/*.psmdcp;
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
#     build directory, gives identical DLL, exe, zip and nupkg bytes.
# Both builds run from one snapshot of the sources, copied to two paths: the
# committed tree (git archive HEAD) in a git clone, what a release from a clean
# clone ships, so edits in progress cannot break or skew the comparison; the
# directory as it is otherwise (or with BW_PKG_SOURCE=tree). Output under
# build/package-test. Exit 0 when all hold.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
WORK=$ROOT/build/package-test
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
EXPECTED=(
  BitsWatch.psd1 BitsWatch.psm1 BitsWatch.format.ps1xml BitsWatch.Native.cs
  bin/win-x64/bitswatch.dll bin/win-x64/bitswatch.exe
  bin/win-x86/bitswatch.dll bin/win-x86/bitswatch.exe
  include/bitswatch.h include/bitswatch_compat.h include/bitswatch_version.h
  lib/win-x64/libbitswatch.dll.a lib/win-x86/libbitswatch.dll.a
  README.md
)
if [ -f LICENSE ]; then EXPECTED+=(LICENSE); else echo "check_package: note: no LICENSE in the repository"; fi
printf '%s\n' "${EXPECTED[@]}" | LC_ALL=C sort > "$WORK/expected.txt"

mkdir -p "$WORK/zip" "$WORK/nupkg"
unzip -q "$D/$ZIPNAME" -d "$WORK/zip" || fail "unzip $ZIPNAME"
unzip -q "$D/$NUPKGNAME" -d "$WORK/nupkg" || fail "unzip $NUPKGNAME"

(cd "$WORK/zip" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) > "$WORK/zip.txt"
sed "s|^|$NAME/|" "$WORK/expected.txt" > "$WORK/zip-expected.txt"
if diff -u "$WORK/zip-expected.txt" "$WORK/zip.txt" >"$WORK/zip.diff"; then
  ok "zip layout: $NAME/ with ${#EXPECTED[@]} files"
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
for f in bin/win-x64/bitswatch.dll bin/win-x64/bitswatch.exe bin/win-x86/bitswatch.dll bin/win-x86/bitswatch.exe; do
  if cmp -s "$D/$NAME/$f" "$WORK/dist2/$NAME/$f"; then
    same=$((same + 1))
  else
    fail "$f differs between two builds"
  fi
done
[ $same = 4 ] && ok "two builds give identical DLLs and exes ($(sha256sum "$D/$NAME/bin/win-x64/bitswatch.dll" | cut -c1-16)... for x64)"
if cmp -s "$D/SHA256SUMS" "$WORK/dist2/SHA256SUMS"; then
  ok "two builds give identical zip and nupkg"
else
  fail "the zip or nupkg differs between two builds"; diff "$D/SHA256SUMS" "$WORK/dist2/SHA256SUMS" >&2
fi
rm -rf "$WORK/pkg1" "$WORK/pkg2" "$WORK/src1" "$WORK/src2"

if [ $FAILS -ne 0 ]; then
  echo "check_package: $FAILS check(s) failed"
  exit 1
fi
echo "check_package: all checks passed"
