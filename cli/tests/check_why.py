#!/usr/bin/env python3
"""check_why.py - 'bitswatch why' against Wine's real BITS (issue 19).

Run as: check_why.py <wine> <bitswatch.exe> <bwjob.exe>
with BW_TEST_HTTP=http://127.0.0.1:<port> (tests/integration/http_server.py)
in the environment (ctest: test_cli_why). Jobs are made by bwjob.exe, another
process, as in real life; each situation Wine's BITS can produce is put in
front of 'why' (text and --json):

  suspended, never resumed  bwjob create --suspended
  transferred, not completed /fast/N, waited to TRANSFERRED
  HTTP 404                   /status/404, waited to ERROR
  a stall                    /hang/N: headers, then no body (why watches it 6 s)
  queued behind a transfer   a second job while the hanging one holds Wine's
                             one transfer thread

Wine's BITS gives no times, priority, owner, proxy settings, and answers the
retry delay and no-progress timeout with fixed stand-ins (30 s, 900 s): the
output must say "unknown" for each, never those values. The rest of the
rules (times, retry due, 401/407, range support, local errors, network
disconnects, connecting long) can only be tested on the fake backend
(tests/unit/test_diagnose.c).
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

failures = 0


def run(*cmd, timeout=90):
    p = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(cond, what, out="", err=""):
    global failures
    if cond:
        print(f"ok: {what}")
    else:
        failures += 1
        print(f"FAIL: {what}\n  stdout: {out[:3000]}\n  stderr: {err[:800]}", file=sys.stderr)


class Ctx:
    def __init__(self, wine, cli, bwjob, http, tmp):
        self.wine, self.cli, self.bwjob, self.http, self.tmp = wine, cli, bwjob, http, tmp
        self.jobs = []

    def bw(self, *args, timeout=90):
        return run(self.wine, self.bwjob, *args, timeout=timeout)

    def create(self, path, name, *extra):
        return self.create_url(self.http + path, name, *extra)

    def create_url(self, url, name, *extra):
        local = os.path.join(self.tmp, name)
        rc, out, err = self.bw("create", url, local, "--name", name, *extra)
        guid = out.strip().splitlines()[-1] if rc == 0 and out.strip() else None
        check(guid is not None, f"bwjob create {url}", out, err)
        if guid:
            self.jobs.append(guid)
        return guid

    def wait(self, guid, state, ms=20000):
        rc, out, err = self.bw("wait", guid, str(state), str(ms))
        check(rc == 0, f"job {guid} reached state {state}", out, err)

    def why(self, *args):
        return run(self.wine, self.cli, "why", *args, timeout=120)


def free_port():
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unknowns_said(out):
    """Wine's stand-ins must never show as values."""
    return ("Retry delay: unknown" in out and "No-progress timeout: unknown" in out
            and "Proxy: unknown" in out and "Priority: unknown" in out
            and "30 s" not in out and "900 s" not in out)


def main():
    if len(sys.argv) != 4:
        print("usage: check_why.py <wine> <bitswatch.exe> <bwjob.exe>", file=sys.stderr)
        return 2
    http = os.environ.get("BW_TEST_HTTP")
    if not http:
        print("check_why: BW_TEST_HTTP is not set (start tests/integration/http_server.py)",
              file=sys.stderr)
        return 1
    tmp = tempfile.mkdtemp(prefix="bw-why-")
    c = Ctx(sys.argv[1], sys.argv[2], sys.argv[3], http, tmp)
    try:
        scenarios(c)
    finally:
        for guid in c.jobs:
            c.bw("cancel", guid)
    print(f"check_why: {failures} failure(s)")
    return 1 if failures else 0


def usage(c):
    for args, what in ((["why"], "no job"), (["why", "--all", "{00000000-0000-0000-0000-0000000000B9}"], "--all and a GUID"),
                       (["why", "--sample-sec", "601", "--all"], "--sample-sec out of range"),
                       (["why", "--frob", "--all"], "an unknown option"), (["why", "--all-users", "{00000000-0000-0000-0000-0000000000B9}"], "--all-users without --all"),
                       (["why", "not-a-guid"], "a malformed GUID")):
        rc, out, err = run(c.wine, c.cli, *args)
        check(rc == 2 and out == "" and "bitswatch" in err, f"why usage error ({what}): exit 2", out, err)
    for args in (["why", "--help"], ["help", "why"], ["WHY", "-h"]):
        rc, out, err = run(c.wine, c.cli, *args)
        check(rc == 0 and "why    why each job is where it is" in out and "--sample-sec" in out
              and "watch  " not in out, f"{' '.join(args)}: why's own help", out, err)
    rc, out, err = run(c.wine, c.cli, "--help")
    check(rc == 0 and "why    why each job" in out, "the overview help lists why", out, err)


def scenarios(c):
    usage(c)
    # Suspended, never resumed.
    s = c.create("/fast/1000", "why-suspended", "--suspended")
    rc, out, err = c.why(s)
    print(out)
    check(rc == 0 and ": Suspended" in out and "has never moved a byte" in out
          and "never called Resume" in out and "for an unknown time" in out,
          "suspended job: verdict Suspended, never resumed", out, err)
    check(unknowns_said(out), "suspended job: Wine's missing values say unknown", out, err)
    check(f"File 1: {c.http}/fast/1000 -> " in out and "0 of unknown bytes, not complete" in out,
          "suspended job: its file, remote and local names", out, err)

    # Transferred, never completed.
    t = c.create("/fast/2000", "why-transferred")
    c.wait(t, 6)
    rc, out, err = c.why(t)
    print(out)
    check(rc == 0 and ": NotCompleted" in out and "nobody called Complete" in out
          and "2000 of 2000 bytes, complete" in out,
          "transferred job: verdict NotCompleted, its file complete", out, err)

    # HTTP 404.
    e = c.create("/status/404", "why-404")
    c.wait(e, 4)
    rc, out, err = c.why(e)
    print(out)
    check(rc == 0 and ": RemoteError" in out and f"{c.http}/status/404 answered HTTP 404" in out
          and "Error: 0x80190194" in out,
          "404 job: verdict RemoteError with the URL", out, err)

    # A server that cannot be reached: Wine's BITS fails the job without an error record.
    port = free_port()
    u = c.create_url(f"http://127.0.0.1:{port}/nothing", "why-unreachable")
    c.wait(u, 4)
    rc, out, err = c.why(u)
    print(out)
    check(rc == 0 and ": Error" in out and "failed without an error record" in out
          and f"http://127.0.0.1:{port}/nothing" in out and "Error: 0x8020000F" in out,
          "unreachable server: verdict Error, no error record, the URL named", out, err)

    # A stall, and a job queued behind it.
    h = c.create("/hang/100000", "why-hang")
    deadline = time.time() + 20
    state = None
    while time.time() < deadline:
        rc, out, err = c.bw("state", h)
        state = out.split()[0] if rc == 0 and out.split() else None
        if state in ("1", "2"):
            break
        time.sleep(0.3)
    check(state in ("1", "2"), f"hanging job is connecting or transferring (state {state})")
    q = c.create("/fast/3000", "why-queued")
    rc, out, err = c.bw("state", q)
    check(out.startswith("0 "), "second job stays queued behind the hanging one", out, err)

    rc, out, err = c.why("--json", "--all")
    lines = [line for line in out.splitlines() if line.strip()]
    objs = []
    try:
        objs = [json.loads(line) for line in lines]
    except ValueError as ex:
        check(False, f"why --all --json: every line is JSON ({ex})", out, err)
    by_id = {o.get("JobId", "").lower(): o for o in objs}
    print(json.dumps(by_id, indent=1)[:4000])
    hung = by_id.get(h.lower(), {})
    queued = by_id.get(q.lower(), {})
    check(rc == 0 and all(o.get("kind") in ("diagnosis", "summary") and o.get("schema") == 1 for o in objs),
          "why --all --json: one diagnosis object per job", out, err)
    check(hung.get("Verdict") == "Stalled" and "no byte has moved" in hung.get("Explanation", ""),
          "hanging job: verdict Stalled after the 6 s watch", out, err)
    check(queued.get("Verdict") == "QueuedBehind" and "'why-hang'" in queued.get("Explanation", ""),
          "queued job: verdict QueuedBehind, naming the hanging job", out, err)
    ev = queued.get("Evidence", {})
    check(ev.get("Retry delay") == "unknown" and ev.get("Priority") == "unknown"
          and ev.get("Jobs transferring ahead", "").startswith("1 job"),
          "queued job: evidence as an object, unknowns said", out, err)
    summary = [o for o in objs if o.get("kind") == "summary"]
    check(len(summary) == 1 and summary[0].get("JobCount") == len(objs) - 1
          and summary[0].get("Verdicts", {}).get("Stalled") == 1
          and summary[0].get("MaxJobsPerMachine") == 300 and summary[0].get("MaxJobsPerUser") == 60
          and summary[0].get("Owners", {}).get("unknown") == len(objs) - 1
          and summary[0].get("Warning") is None,
          "why --all --json: a summary with the verdicts counted and the default limits", out, err)
    objs = [o for o in objs if o.get("kind") != "summary"]
    check(by_id.get(s.lower(), {}).get("Verdict") == "Suspended"
          and by_id.get(t.lower(), {}).get("Verdict") == "NotCompleted"
          and by_id.get(e.lower(), {}).get("Verdict") == "RemoteError",
          "why --all: the other jobs' verdicts as before", out, err)

    rc, out, err = c.why("--all", "--sample-sec", "0")
    check(rc == 0 and "\nSummary: " in out.replace("\r", "") and "Owners: unknown " in out
          and "Limits: " in out and " of 300 jobs" in out, "why --all in text ends with the summary", out[-1500:], err)

    # Text for the two, as a person reads it; a job that is not there: exit 1.
    rc, out, err = c.why("--sample-sec", "0", q)
    print(out)
    check(rc == 0 and ": QueuedBehind" in out and "Queued behind 1 job" in out,
          "queued job in text", out, err)
    rc, out, err = c.why("{00000000-0000-0000-0000-0000000000B9}", s)
    check(rc == 1 and "cannot open job {00000000-0000-0000-0000-0000000000B9}" in err
          and ": Suspended" in out, "a missing job fails (exit 1), the others still shown", out, err)


if __name__ == "__main__":
    sys.exit(main())
