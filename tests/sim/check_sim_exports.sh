#!/bin/sh
# check_sim_exports.sh <libbitswatch_sim.so> <bitswatch.def>
#
# Fails unless the library's dynamic symbol table defines exactly the names of
# the .def file (plus the test hook BwSimOpenHandles): every export PowerShell's P/Invoke names, and no internal
# bw__ (or other) name leaking out of the core or the simulator.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 <so> <def>" >&2; exit 2; }
SO=$1
DEF=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Defined, global or weak, code or data symbols (nm -D prints "addr TYPE name").
# BwSimOpenHandles is the simulator's one test hook (backend_sim.c): required,
# and the only name allowed beyond the .def's.
${NM:-nm} -D --defined-only "$SO" | awk 'NF == 3 && $2 ~ /^[TDBRWVi]$/ { print $3 }' |
  LC_ALL=C sort > "$tmp/so.all"
grep -qx BwSimOpenHandles "$tmp/so.all" || { echo "check_sim_exports: $SO lacks BwSimOpenHandles"; exit 1; }
grep -vx BwSimOpenHandles "$tmp/so.all" > "$tmp/so" || true
awk '{ sub(/;.*/, "") }
     /^[[:space:]]*EXPORTS/ { inside = 1; next }
     inside && NF { print $1 }' "$DEF" | LC_ALL=C sort > "$tmp/def"

if ! cmp -s "$tmp/so" "$tmp/def"; then
  echo "check_sim_exports: $SO exports differ from $DEF (< only in the .so, > only in the .def):"
  diff "$tmp/so" "$tmp/def" | grep '^[<>]' || true
  exit 1
fi
echo "check_sim_exports: $(wc -l < "$tmp/so") exports, exactly the .def's"
