#!/usr/bin/env bash
# tests/ps/run-pester.sh - runs the Pester suite (tests/ps/*.Tests.ps1) with
# PowerShell 7.6 against the module in ps/ and the simulator library.
#
#   bash tests/ps/run-pester.sh SIM_LIBRARY [TESTS...]
#
# SIM_LIBRARY is libbitswatch_sim.so of a native build WITHOUT sanitizers
# (pwsh cannot load an ASan library). TESTS: .Tests.ps1 files (default all).
# 1. installs pwsh and Pester (install-pwsh.sh; once, under build/tools),
#    compiles the module's C# as both PowerShells' Add-Type do (compile-cs.sh)
#    and builds the compiled assembly the package ships (build-assembly.sh:
#    BitsWatch.Native.dll, which the suite's package-like copy carries),
# 2. runs Invoke-Pester with BITSWATCH_NATIVE_LIBRARY=SIM_LIBRARY (the
#    module's documented override) and BITSWATCH_SIM_SCENARIO naming the one
#    scenario file the tests write,
# 3. counts the JUnit result file: fails on any failed or errored test, on
#    zero tests, and on any skipped test (a skipped test proves nothing).
# Output: Pester's detailed log on stdout; the result file and scratch files
# under BW_PESTER_OUT (default build/pester).
# Knobs: BW_TOOLS (default build/tools), BW_PESTER_OUT.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${BW_TOOLS:-$ROOT/build/tools}
OUT=${BW_PESTER_OUT:-$ROOT/build/pester}

if [ $# -lt 1 ]; then
  echo "usage: $0 SIM_LIBRARY [TESTS...]" >&2
  exit 2
fi
SIM=$1
shift
if [ ! -f "$SIM" ]; then
  echo "FAIL: no simulator library at $SIM" >&2
  exit 1
fi
SIM=$(cd "$(dirname "$SIM")" && pwd)/$(basename "$SIM")

bash "$HERE/install-pwsh.sh" "$TOOLS" || { echo "FAIL: installing pwsh and Pester"; exit 1; }

# What Add-Type compiles, as Windows PowerShell 5.1 (C# 5, .NET Framework 4.5)
# and PowerShell 7.6 (warnings as errors) compile it.
cs_rc=0
echo "== the module's C# with Roslyn (net45 at C# 5, net10)"
bash "$HERE/compile-cs.sh" "$TOOLS" || cs_rc=1
echo "== the module's compiled assembly (ps/src/BitsWatch.Native.csproj)"
ASSEMBLY=$(BW_NUGET_PACKAGES=$TOOLS/nuget-packages bash "$HERE/build-assembly.sh") || {
  echo "FAIL: building BitsWatch.Native.dll"; exit 1; }
echo "ok   $ASSEMBLY"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RESULT=$OUT/pester-junit.xml
rm -f "$RESULT"
# The tests import a package-like copy of ps/ that TestHelpers.ps1 makes once
# per run: a copy left by an earlier run would test yesterday's module.
rm -rf "$OUT/module"
: >"$OUT/scenario.txt"

# The simulator reads its scenario file's name from the process environment
# once (native getenv): it must be set before pwsh starts. Tests rewrite the
# file; child pwsh processes of the tests may name their own.
export BITSWATCH_NATIVE_LIBRARY=$SIM
export BITSWATCH_SIM_SCENARIO=$OUT/scenario.txt
export BW_PESTER_OUT=$OUT
export BW_PWSH=$TOOLS/pwsh/pwsh     # for the tests' fresh sessions
export BW_TEST_ASSEMBLY=$ASSEMBLY   # the package-like copy's BitsWatch.Native.dll
export PSModulePath=$TOOLS/Modules
export POWERSHELL_TELEMETRY_OPTOUT=1
export POWERSHELL_UPDATECHECK=Off
export NO_COLOR=1
export TERM=dumb

paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=("$HERE")

rc=0
"$TOOLS/pwsh/pwsh" -NoLogo -NoProfile -NonInteractive -File "$HERE/invoke-pester.ps1" \
  -ResultPath "$RESULT" "${paths[@]}" || rc=$?

# Count from the JUnit file, independently of pwsh's exit status.
python3 - "$RESULT" <<'EOF' || rc=1
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError) as e:
    print("pester: no readable result file: %s" % e)
    sys.exit(1)
cases = list(root.iter("testcase"))
failed = sum(1 for c in cases if c.find("failure") is not None or c.find("error") is not None)
skipped = sum(1 for c in cases if c.find("skipped") is not None)
passed = len(cases) - failed - skipped
for c in cases:
    if c.find("failure") is not None or c.find("error") is not None:
        print("FAILED  %s" % c.get("name"))
    elif c.find("skipped") is not None:
        print("SKIPPED %s" % c.get("name"))
print("pester (JUnit file): %d tests: %d passed, %d failed, %d skipped" % (len(cases), passed, failed, skipped))
sys.exit(0 if cases and failed == 0 and skipped == 0 else 1)
EOF

[ $cs_rc -eq 0 ] || rc=1
if [ $rc -ne 0 ]; then
  echo "tests/ps (Pester): FAILED"
else
  echo "tests/ps (Pester): all passed"
fi
exit $rc
