#!/usr/bin/env python3
"""check_readme_samples.py - README.md's sample output of list, info and watch
against what bitswatch.exe prints now.

Run as: check_readme_samples.py <README.md> <wine> <bitswatch.exe> <bwjob.exe> <work dir>
(ctest: test_cli_readme_samples, with BW_TEST_HTTP set).

Makes two real BITS jobs (a paced download, a 404) with bwjob.exe, runs
`list`, `info` and `watch` (piped) under Wine, and checks each README block
marked `<!-- sample: NAME -->` against the real output: the same `list`
header, rows aligned under it with a state name and the CLI's byte text;
`info`'s labels in the CLI's order; `watch` lines with the same fields as
the CLI's. Values (GUIDs, bytes, rates) are one run's and are not compared.
"""
import os
import re
import subprocess
import sys
import tempfile

STATES = ("Queued", "Connecting", "Transferring", "Suspended", "Error", "TransientError",
          "Transferred", "Acknowledged", "Cancelled")
GUID = r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}"
BYTES = r"\d+(\.\d)? (B|KB|MB|GB|TB|PB|EB)"
PROGRESS = r"%s( of unknown| / %s( \(\d+%%\))?)" % (BYTES, BYTES)
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def sample(readme, name):
    m = re.search(r"<!-- sample: %s -->\n```text\n(.*?)```" % re.escape(name), readme, re.S)
    return m.group(1).rstrip("\n").split("\n") if m else None


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode != 0 and err:
        print("%s: exit %d: %s" % (os.path.basename(cmd[1]), p.returncode, err))
    return p.returncode, p.stdout.decode("utf-8", "replace").replace("\r", "")


def fields(line):
    return re.split(r"  +", line.strip())


def check_list(readme, real):
    lines = sample(readme, "list")
    if not check(lines, "README: no '<!-- sample: list -->' block"):
        return
    head = real.split("\n")[0]
    check(fields(lines[0]) == fields(head),
          "list: README header %r, the CLI prints %r" % (lines[0], head))
    starts = [lines[0].index(name) for name in fields(lines[0])]
    for row in lines[1:]:
        cols = [row[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
        check(re.fullmatch(GUID, cols[0]) and cols[1] in STATES and
              re.fullmatch(PROGRESS, cols[2]) and re.fullmatch(r"\d+/\d+", cols[3]) and cols[4],
              "list: README row %r is not aligned under its header as the CLI's are" % row)


def labels(lines):
    return [l.split(":", 1)[0] for l in lines if ":" in l]


def check_info(readme, real):
    lines = sample(readme, "info")
    if not check(lines, "README: no '<!-- sample: info -->' block"):
        return
    # Rate and ETA show only once a rate is measured (info samples up to
    # 1.5 s, less may do on a loaded machine): compared without them.
    timed = ("Rate", "ETA")
    got = [l for l in labels(lines) if l not in timed]
    want = [l for l in labels(real.strip().split("\n")) if l not in timed]
    check(got == want, "info: README labels %s, the CLI prints %s" % (got, want))


def check_watch(readme, real):
    lines = sample(readme, "watch")
    if not check(lines, "README: no '<!-- sample: watch -->' block"):
        return
    shape = re.compile(r"(%s) +(.+?)  +(%s) +(%s)(  +%s/s)?" % (GUID, "|".join(STATES),
                                                                PROGRESS, BYTES))
    real_lines = [l for l in real.split("\n") if l.strip()]
    check(real_lines and all(shape.fullmatch(l.strip()) for l in real_lines),
          "watch: the CLI's lines are no longer of the README's shape:\n%s" % real)
    for l in lines:
        check(shape.fullmatch(l.strip()), "watch: README line %r is not of the CLI's shape" % l)


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    readme_path, wine, cli, bwjob, work = sys.argv[1:]
    http = os.environ.get("BW_TEST_HTTP")
    if not http:
        print("check_readme_samples.py: set BW_TEST_HTTP", file=sys.stderr)
        return 1
    readme = open(readme_path, encoding="utf-8").read()
    os.makedirs(work, exist_ok=True)
    jobs = []
    try:
        for url, name in ((http + "/slow/41943040?rate=524288", "Nightly build"),
                          (http + "/status/404", "Driver package")):
            out = tempfile.mktemp(dir=work, suffix=".bin")
            rc, guid = run([wine, bwjob, "create", url, out, "--name", name])
            guid = guid.strip()
            if not check(rc == 0 and re.fullmatch(GUID, guid, re.I), "bwjob create: %d %r" % (rc, guid)):
                break
            jobs.append(guid)
        if len(jobs) < 2:
            raise RuntimeError("no jobs to show")
        rc, real = run([wine, cli, "list"])
        check(rc == 0, "list: exit %d" % rc)
        check_list(readme, real)
        rc, real = run([wine, cli, "info", jobs[0]])
        check(rc == 0, "info: exit %d" % rc)
        check_info(readme, real)
        rc, real = run([wine, cli, "watch", "--timeout-sec", "3", jobs[0]])
        check_watch(readme, real)
    except RuntimeError:
        pass  # reported below with the failures
    finally:
        for g in jobs:
            subprocess.run([wine, bwjob, "cancel", g], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
    for f in failures:
        print("FAIL: " + f)
    print("check_readme_samples: %d check(s) failed" % len(failures) if failures else
          "check_readme_samples: the README's list, info and watch samples agree with the CLI")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
