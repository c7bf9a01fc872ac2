#!/usr/bin/env bash
# check_exports.sh <dll> <def>
#
# Fails unless the DLL's export table holds exactly the names listed in the
# .def file, and none of them is decorated. On x86 a stray __declspec(dllexport)
# or a missing .def entry shows up as `BwFoo@8` or as a missing name, and
# callers (P/Invoke, ctypes, GetProcAddress) then fail at run time only; this
# check catches it at build time for both architectures.
# Uses mingw's objdump (it reads PE files of both architectures); OBJDUMP
# overrides it.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 <dll> <def>" >&2
  exit 2
fi
DLL=$1
DEF=$2
[ -f "$DLL" ] || { echo "check_exports: no such DLL: $DLL" >&2; exit 1; }
[ -f "$DEF" ] || { echo "check_exports: no such .def: $DEF" >&2; exit 1; }

if [ -z "${OBJDUMP:-}" ]; then
  for tool in x86_64-w64-mingw32-objdump i686-w64-mingw32-objdump objdump; do
    if command -v "$tool" >/dev/null; then OBJDUMP=$tool; break; fi
  done
fi
[ -n "${OBJDUMP:-}" ] || { echo "check_exports: no objdump found (install mingw-w64 or binutils)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$OBJDUMP" -p "$DLL" > "$tmp/dump" || { echo "check_exports: $OBJDUMP -p $DLL failed" >&2; exit 1; }

# The name table follows "[Ordinal/Name Pointer] Table" up to the next blank
# line; each row ends with the name ("[   0] BwFoo", or with newer binutils
# "[   0] +base[   1] 0000 BwFoo").
awk '/^\[Ordinal\/Name Pointer\] Table/ { inside = 1; next }
     inside && /^[[:space:]]*$/       { inside = 0 }
     inside                           { print $NF }' "$tmp/dump" | LC_ALL=C sort > "$tmp/dll"

# .def: names after EXPORTS, one per line; ";" starts a comment; "Name=Internal",
# "@ordinal", "NONAME", "PRIVATE", "DATA" may follow the name.
awk 'BEGIN { inside = 0 }
     { sub(/;.*/, "") }
     /^[[:space:]]*EXPORTS([[:space:]]|$)/ { inside = 1; sub(/^[[:space:]]*EXPORTS/, "") }
     /^[[:space:]]*(LIBRARY|NAME|HEAPSIZE|STACKSIZE|SECTIONS|VERSION|DESCRIPTION)([[:space:]]|$)/ { inside = 0; next }
     inside && NF { name = $1; sub(/=.*/, "", name); print name }' "$DEF" | LC_ALL=C sort > "$tmp/def"

status=0
if [ ! -s "$tmp/def" ]; then
  echo "check_exports: $DEF lists no exports" >&2
  status=1
fi
if grep -q '@' "$tmp/dll"; then
  echo "check_exports: decorated names exported by $DLL:" >&2
  grep '@' "$tmp/dll" | sed 's/^/  /' >&2
  status=1
fi
if ! cmp -s "$tmp/def" "$tmp/dll"; then
  echo "check_exports: exports of $DLL differ from $DEF (< only in .def, > only in DLL):" >&2
  diff "$tmp/def" "$tmp/dll" | grep '^[<>]' | sed 's/^/  /' >&2 || true
  status=1
fi
if [ $status -eq 0 ]; then
  echo "check_exports: $DLL exports exactly the $(wc -l < "$tmp/def") names of $DEF"
fi
exit $status
