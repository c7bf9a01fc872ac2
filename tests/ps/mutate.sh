#!/usr/bin/env bash
# tests/ps/mutate.sh - a small mutation check of the Pester suite: each
# mutant below is one deliberate breakage of the module; the script applies
# it to a copy of ps/ (never to ps/ itself), runs the test files that claim
# to cover that code against the copy (BW_TEST_MODULE_SOURCE, the suite's
# documented switch), and expects them to FAIL. A mutant that passes lives:
# the tests cannot tell the broken module from the right one.
#
#   bash tests/ps/mutate.sh SIM_LIBRARY [--full] [MUTANT...]
#
# SIM_LIBRARY: libbitswatch_sim.so of a build without sanitizers (as for
# run-pester.sh, which must have run once: it installs pwsh and Pester).
# MUTANT: names from the list (default: all). --full: run the whole suite
# for each mutant instead of the listed test files (slower: about 4 min each).
# A mutant whose text is not found in its file fails the script too (the
# list must follow the module). Prints one line per mutant:
#   KILLED <name> by <failed tests>   or   LIVES <name>
# and exits 0 only when every mutant was killed.
# Not part of tests/run.sh (one Pester run per mutant: several minutes).
# Output and scratch under BW_MUTATE_OUT (default build/mutate).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${BW_TOOLS:-$ROOT/build/tools}
OUT=${BW_MUTATE_OUT:-$ROOT/build/mutate}

if [ $# -lt 1 ]; then
  echo "usage: $0 SIM_LIBRARY [--full] [MUTANT...]" >&2
  exit 2
fi
SIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
FULL=0
if [ "${1:-}" = "--full" ]; then
  FULL=1
  shift
fi
[ -x "$TOOLS/pwsh/pwsh" ] || { echo "FAIL: no pwsh under $TOOLS (run tests/ps/run-pester.sh once)"; exit 1; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# The compiled BitsWatch.Native.dll the suite's module copy carries: ps/'s
# for mutants of scripts, the mutated copy's own for mutants under src/.
export BW_NUGET_PACKAGES=$TOOLS/nuget-packages
ASSEMBLY=$(bash "$HERE/build-assembly.sh" "$OUT/assembly") || { echo "FAIL: building BitsWatch.Native.dll"; exit 1; }

# name | file (under ps/) | text | replacement | test files | what it breaks
# Text and replacement are Python string literals (\n for a new line, \x7c
# for a |, which would end the field).
MUTANTS=$(cat <<'EOF'
open-listed-gone-error|Private/Open-BwJobEntry.ps1|'if (-not ($Listing -and $failure.HResult -eq [BitsWatch.Native.Codes]::BG_E_NOT_FOUND)) {'|'if ($true) {'|Module|issue 18 part 2: a listed job gone when opened writes an error
unfinished-info-noop|Private/Read-BwUnfinishedJobInfo.ps1|'    foreach ($e in $Entry) {'|'    return\n    foreach ($e in $Entry) {'|WaitWatch|issue 18 part 2: Read-BwUnfinishedJobInfo does nothing
duplicates-kept|Private/Get-BwJobIdList.ps1|'if ($seen.Add($id)) {'|'if ($null -ne $seen.Add($id)) {'|GetBitsJobStatus WaitWatch|issue 18 part 2: duplicate ids are not removed
quiet-disabled|Private/Receive-BwPollResult.ps1|'if (-not $Result.Changed -and $null -ne $e.Status'|'if ($false -and -not $Result.Changed -and $null -ne $e.Status'|WaitWatch|issue 18 part 2: the Quiet path of Receive-BwPollResult is never taken
whatif-asks|Private/Confirm-BwCompleteAll.ps1|'if ($WhatIf -or $Force -or'|'if ($Force -or'|WaitWatch|issue 18 part 2: -WhatIf no longer skips the -All/-Name question
force-ignored|Private/Confirm-BwCompleteAll.ps1|'if ($WhatIf -or $Force -or'|'if ($WhatIf -or'|WaitWatch|item 1: -Force does not skip the question
noninteractive-raw|Private/Confirm-BwCompleteAll.ps1|'    catch {\n        $message'|'    catch {\n        throw\n        $message'|WaitWatch|item 1: the host exception escapes raw
sample-gone-silent|Private/Measure-BwJobRate.ps1|'if (-not ($Listing -and $failure.HResult'|'if (-not ($true -and $failure.HResult'|GetBitsJobStatus|item 2: a given job gone during the rate sample is dropped silently
given-gone-warning|Private/Write-BwWatchFailure.ps1|'if ($e.Listed) {'|'if ($true) {'|WaitWatch|item 3: a given job that vanishes mid-wait is only a warning
category-fixed|Private/Invoke-BwWatchEntry.ps1|'$category = Get-BwErrorCategory $raw.ErrorCode'|'$category = [System.Management.Automation.ErrorCategory]::NotSpecified'|WaitWatch|item 4: a job in error is always ConnectionError
interval-ignored|Private/Invoke-BwWatch.ps1|'$wait = [math]::Min([math]::Min($IntervalMs, $remainingMs), $script:MaxWaitMs)'|'$wait = [math]::Min($remainingMs, $script:MaxWaitMs)'|WaitWatch|item 5: -IntervalMs does nothing
cancelled-100|Private/ConvertTo-BwJobStatus.ps1|"elseif ($state -eq 'Transferred' -or $state -eq 'Acknowledged') {"|'elseif ($true) {'|Presentation|item 6: a cancelled 0-byte job shows 100%
eta-when-final|Private/ConvertTo-BwJobStatus.ps1|" -and $state -notin 'Error', 'Transferred', 'Acknowledged', 'Cancelled'"|''|Presentation|item 6: a transferred job shows ETA 00:00:00
context-none|Private/ConvertTo-BwJobStatus.ps1|'if ($Status.ErrorCode -ne 0) {'|'if ($true) {'|Presentation|item 6: ErrorContext None for a job without an error
name-guid-ignored|Public/Get-BitsJobStatus.ps1|'if ([Guid]::TryParse($n, [ref]$guid)) {'|'if ($false) {'|GetBitsJobStatus|item 7: a GUID string by position is taken for a name
id-aliases-back|Public/Get-BitsJobStatus.ps1|'        [BitsWatch.Native.JobIdTransformation()]'|"        [Alias('Id', 'Guid')]\n        [BitsWatch.Native.JobIdTransformation()]"|GetBitsJobStatus|item 8: Guid/Id aliases bind module GUIDs
table-120|BitsWatch.format.ps1xml|'<Label>Job</Label>\n            <Width>14</Width>'|'<Label>Job</Label>\n            <Width>20</Width>'|Presentation|item 9: the default table does not fit 80 columns
onremove-keeps-types|BitsWatch.psm1|'Remove-TypeData -TypeName $typeName -ErrorAction SilentlyContinue'|'$null = $typeName'|Module|item 10: Remove-Module leaves the type data
handle-leak|Private/Close-BwJobEntry.ps1|'            $e.Job.Dispose()'|'            $null = $e.Job'|GetBitsJobStatus|handles: Close-BwJobEntry closes nothing
clm-unchecked|BitsWatch.psm1|"if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {"|'if ($false) {'|Import|item 12: Constrained Language Mode gives errors about types, not one clear error
assembly-ignored|Private/Initialize-BwNative.ps1|'if (Test-Path -LiteralPath $assembly -PathType Leaf) {'|'if ($false) {'|Import|item 12: the package compiles its C# at import instead of loading BitsWatch.Native.dll
native-methods-public|src/Interop.cs|'    internal static class NativeMethods'|'    public static class NativeMethods'|Import|item 14: NativeMethods ships public in the product assembly
open-count-public|src/Job.cs|'        internal static int OpenCount'|'        public static int OpenCount'|Import|item 14: a test hook (Job.OpenCount) ships public
final-misses-error|src/Model.cs|'return State == JobState.Error \x7c\x7c State == JobState.Transferred'|'return State == JobState.Transferred'|WaitWatch|item 13: JobStatus.IsFinal (the JobState enum) forgets Error
EOF
)

want=("$@")
selected() {
  [ ${#want[@]} -eq 0 ] && return 0
  local w
  for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}

rc=0
killed=0
lives=0
while IFS='|' read -r name file text repl tests what; do
  [ -n "$name" ] || continue
  selected "$name" || continue
  dir=$OUT/$name
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -r "$ROOT/ps" "$dir/ps"
  if ! python3 - "$dir/ps/$file" "$text" "$repl" <<'PY'
import ast, sys
path, text, repl = sys.argv[1], ast.literal_eval(sys.argv[2]), ast.literal_eval(sys.argv[3])
s = open(path, encoding="ascii").read()
n = s.count(text)
if n != 1:
    print("the text is in %s %d times, not once: %r" % (path, n, text))
    sys.exit(1)
open(path, "w", encoding="ascii").write(s.replace(text, repl))
PY
  then
    echo "ERROR  $name: not applied (update the list in tests/ps/mutate.sh)"
    rc=1
    continue
  fi
  asm=$ASSEMBLY
  if [ "${file#src/}" != "$file" ]; then
    if ! asm=$(bash "$HERE/build-assembly.sh" "$dir/assembly" "$dir/ps" 2>"$dir/assembly.err"); then
      killed=$((killed + 1))
      echo "KILLED $name ($what) by: the C# build (warnings as errors): $(head -n 3 "$dir/assembly.err" | tr '\n' ' ')"
      continue
    fi
  fi
  paths=()
  if [ $FULL -eq 1 ]; then
    paths=("$HERE")
  else
    for t in $tests; do paths+=("$HERE/$t.Tests.ps1"); done
  fi
  : >"$dir/scenario.txt"
  log=$dir/pester.log
  BITSWATCH_NATIVE_LIBRARY=$SIM BITSWATCH_SIM_SCENARIO=$dir/scenario.txt BW_PESTER_OUT=$dir \
    BW_TEST_MODULE_SOURCE=$dir/ps BW_TEST_ASSEMBLY=$asm BW_PWSH=$TOOLS/pwsh/pwsh PSModulePath=$TOOLS/Modules \
    POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off NO_COLOR=1 TERM=dumb \
    "$TOOLS/pwsh/pwsh" -NoLogo -NoProfile -NonInteractive -File "$HERE/invoke-pester.ps1" \
    -ResultPath "$dir/junit.xml" "${paths[@]}" >"$log" 2>&1
  status=$?
  failed=$(grep -E '^\s*\[-\] ' "$log" | sed -E 's/^\s*\[-\] //; s/ [0-9.]+m?s \(.*$//' | paste -sd ';' -)
  if [ $status -ne 0 ]; then
    killed=$((killed + 1))
    echo "KILLED $name ($what) by: ${failed:-a failed container, see $log}"
  else
    lives=$((lives + 1))
    rc=1
    echo "LIVES  $name ($what): $tests passed against it ($log)"
  fi
done <<<"$MUTANTS"

echo "mutants: $killed killed, $lives lived"
exit $rc
