#!/usr/bin/env bash
# tests/ps/run.sh - checks the PowerShell module in ps/ without PowerShell.
#
#   bash tests/ps/run.sh [--dll-x64 PATH] [--dll-x86 PATH]
#
# 1. installs the pinned tree-sitter-powershell + web-tree-sitter of
#    tests/ps/package.json into build/ps-tools (npm, --ignore-scripts; once),
# 2. parses ps/*.psm1, ps/*.psd1, the function files ps/Public/*.ps1 and
#    ps/Private/*.ps1, BitsWatch.psm1 as the package ships it (those files
#    joined in by packaging/module_files.py) and the script blocks of
#    ps/*.ps1xml with it (no ERROR or MISSING node may appear),
# 3. checks the .ps1xml files are well-formed (xmllint, when installed),
# 4. runs the static checks of check_module.py (manifest, exports, help,
#    verbs, version, [DllImport]s vs the .def and, given the DLLs, their
#    export tables).
# Every step runs; the exit status is non-zero when any failed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${BW_PS_TOOLS:-$ROOT/build/ps-tools}
rc=0

# The versions installed must be the pinned ones (package.json).
have_tools() {
  node -e '
    const want = require(process.argv[1]).dependencies;
    for (const [name, version] of Object.entries(want)) {
      const got = require(process.argv[2] + "/node_modules/" + name + "/package.json").version;
      if (got !== version) process.exit(1);
    }' "$HERE/package.json" "$TOOLS" 2>/dev/null
}

if ! have_tools; then
  echo "installing tree-sitter-powershell into $TOOLS"
  mkdir -p "$TOOLS"
  cp "$HERE/package.json" "$TOOLS/package.json"
  (cd "$TOOLS" && npm install --ignore-scripts --no-audit --no-fund --no-package-lock --loglevel=error) || {
    echo "FAIL: npm install of tree-sitter-powershell and web-tree-sitter"
    exit 1
  }
fi

echo "== parse (tree-sitter-powershell)"
JOINED=$(mktemp -d)
trap 'rm -rf "$JOINED"' EXIT
if python3 "$ROOT/packaging/module_files.py" "$ROOT/ps" "$JOINED/BitsWatch"; then
  cp "$JOINED/BitsWatch/BitsWatch.psm1" "$JOINED/BitsWatch.joined.psm1"
else
  echo "FAIL packaging/module_files.py could not lay out the module"
  rc=1
fi
shopt -s nullglob
node "$HERE/parse_ps.cjs" "$TOOLS/node_modules" "$ROOT"/ps/*.psm1 "$ROOT"/ps/*.psd1 "$ROOT"/ps/*.ps1xml \
  "$ROOT"/ps/Public/*.ps1 "$ROOT"/ps/Private/*.ps1 "$JOINED"/*.joined.psm1 || rc=1
shopt -u nullglob

echo "== xml (xmllint; check_module.py parses it with Python's XML parser too)"
command -v xmllint >/dev/null || echo "xmllint not installed (libxml2-utils): Python's check only"
for f in "$ROOT"/ps/*.ps1xml; do
  command -v xmllint >/dev/null || break
  if xmllint --noout "$f"; then
    echo "ok   $(basename "$f") is well-formed"
  else
    echo "FAIL $(basename "$f") is not well-formed XML"
    rc=1
  fi
done

echo "== static checks"
python3 "$HERE/check_module.py" "$@" || rc=1

if [ $rc -ne 0 ]; then
  echo "tests/ps: FAILED"
else
  echo "tests/ps: all passed"
fi
exit $rc
