#!/usr/bin/env python3
"""tests/remoting/mutate.py - deliberate breakages of the fleet code, each run
against the Fleet.Tests.ps1 tests that claim to cover it.

    python3 tests/remoting/mutate.py SIM_LIBRARY [MUTANT...]

For each mutant: a copy of ps/ with one change, the machines built from it
(BW_TEST_MODULE_SOURCE), tests/remoting/run.sh with BW_PESTER_FILTER set to
the covering tests. Prints "KILLED name" when they fail, "LIVES name" when
they pass; exits 1 if any mutant lives or no longer applies. Not in
tests/run.sh (one remoting run per mutant, about a minute each here).
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# name: (file under ps/, old text, new text, test name wildcards)
MUTANTS = {
    "route-ignores-runspace": ("Private/Add-BwFleetInput.ps1",
        "$runspaceId = [string]$p.Value", "$runspaceId = $null",
        "*two sessions to the same machine*"),
    "route-ignores-computer": ("Private/Add-BwFleetInput.ps1",
        "$computer = [string]$p.Value", "$computer = $null",
        "*an object from a machine that is not in -Session*"),
    "no-notinstalled-check": ("Private/Invoke-BwFleet.ps1",
        "if ($found.Count -eq 0) {", "if ($false) {",
        "*a machine without BitsWatch and one with another version*"),
    "no-version-check": ("Private/Invoke-BwFleet.ps1",
        "if (@($found | Where-Object { $_.Version -eq [version]$Version }).Count -eq 0) {", "if ($false) {",
        "*a machine without BitsWatch and one with another version*"),
    "remote-error-not-retargeted": ("Private/Receive-BwFleetData.ps1",
        "Write-BwFleetError -Cmdlet $Cmdlet -Machine $name -ErrorId (($e.FullyQualifiedErrorId -split ',')[0]) -Category $e.CategoryInfo.Category -Message $message -Exception $e.Exception",
        "$Cmdlet.WriteError($e)",
        "*-AllUsers: access denied*"),
    "closed-session-not-checked": ("Private/Invoke-BwFleet.ps1",
        "if ($s.State -ne 'Opened' -or $s.Availability -eq 'None') {", "if ($false) {",
        "*a closed session: BitsWatch.SessionUnavailable*"),
    "fleet-view-not-grouped": ("BitsWatch.format.ps1xml",
        "<GroupBy>\n        <PropertyName>PSComputerName</PropertyName>\n        <Label>Computer</Label>\n      </GroupBy>\n", "",
        "*grouped by computer and fits 80 columns*"),
    "summary-error-as-done": ("Public/Measure-BitsJobStatus.ps1",
        "'Error' { $s.InError++ }", "'Error' { $s.Done++ }",
        "*Measure-BitsJobStatus: a row per machine*"),
    "stop-not-sent": ("Private/Invoke-BwFleet.ps1",
        "$g.Job.StopJob()", "$null = 0",
        "*Wait-BitsJob -Session*Stop()*"),
    "bar-without-machine": ("Private/Receive-BwFleetData.ps1",
        "$activity = '{0}: {1}' -f $name, $p.Activity", "$activity = $p.Activity",
        "*one display*"),
    "bar-ids-shared": ("Private/Receive-BwFleetData.ps1",
        "$key = '{0}/{1}' -f $Machine.Index, $p.ActivityId", "$key = [string]$p.ActivityId",
        "*one display*"),
    "install-always-copies": ("Public/Install-BitsWatch.ps1",
        "if ($Force -or @($before.Versions) -notcontains $version) {", "if ($true) {",
        "*-WhatIf: the version check alone*"),
}


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    sim = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or list(MUTANTS)
    bad = 0
    for name in names:
        path, old, new, tests = MUTANTS[name]
        work = tempfile.mkdtemp(prefix="bw-mutant-")
        try:
            src = os.path.join(work, "ps")
            shutil.copytree(os.path.join(ROOT, "ps"), src)
            f = os.path.join(src, path)
            text = open(f, encoding="utf-8").read()
            if text.count(old) != 1:
                print("STALE %s: the text to change is in %s %d times" % (name, path, text.count(old)), flush=True)
                bad = 1
                continue
            open(f, "w", encoding="utf-8").write(text.replace(old, new))
            env = dict(os.environ, BW_TEST_MODULE_SOURCE=src, BW_PESTER_FILTER=tests)
            log = os.path.join(ROOT, "build", "remoting", "mutant-%s.log" % name)
            os.makedirs(os.path.dirname(log), exist_ok=True)
            with open(log, "w") as out:
                rc = subprocess.call(["bash", os.path.join(ROOT, "tests/remoting/run.sh"), sim],
                                     stdout=out, stderr=subprocess.STDOUT, env=env)
            failed = [l.strip() for l in open(log, errors="replace") if l.lstrip().startswith("[-]")]
            ran = any(l.lstrip().startswith(("[+]", "[-]")) for l in open(log, errors="replace"))
            if rc != 0 and failed:
                print("KILLED %s by: %s" % (name, "; ".join(failed)), flush=True)
            elif not ran:
                print("NORUN %s: no test matched %s (see %s)" % (name, tests, log), flush=True)
                bad = 1
            else:
                print("LIVES %s (%s)" % (name, tests), flush=True)
                bad = 1
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return bad


if __name__ == "__main__":
    sys.exit(main())
