#!/usr/bin/env python3
"""check_console.py - bitswatch.exe watch on a real console, and a closed stdout.

Run as: check_console.py <wine> <bitswatch.exe> <bwjob.exe>
with BW_TEST_HTTP (tests/integration/http_server.py) and WINEPREFIX set, as
ctest sets them for test_cli_console.

The console is Wine's, under a pseudo-terminal that tmux makes and renders
(tmux is the terminal here: it keeps a scrollback and says how many lines
went into it). Needs no tty of its own. Without tmux, or when tmux cannot
make a pty, this test FAILS, loudly: a console test that cannot run must
not pass (tests/run.sh probes pty availability separately).

Checks, on jobs bwjob.exe makes in Wine's BITS:
  1. watch redraws in place at 40, 80 and 140 columns with a long display
     name and a job in Error: nothing goes into the scrollback while it runs
     (it used to add a copy of the block per refresh at 40, and at 80 with a
     line cut to the width).
  9. at each width the state, the rate (with its "/s") and the error code
     are whole on every job line.
  2. watch --all over more jobs than the window has rows: the block fits,
     with a "+N more" line, and nothing goes into the scrollback.
  3. watch --json / text whose stdout is closed after the first line (as
     "| head -n 1" does) ends within seconds, exit code 141, nothing on stderr.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time

failures = 0


_said = set()


def fail(msg):
    global failures
    failures += 1
    if msg not in _said:  # a cut line repeats on a screen that scrolled
        _said.add(msg)
        print("FAIL: " + msg, file=sys.stderr, flush=True)


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


class Env:
    def __init__(self, wine, cli, bwjob, http):
        self.wine, self.cli, self.bwjob, self.http = wine, cli, bwjob, http
        self.sock = "bwcli-%d" % os.getpid()

    def bwjob_run(self, *args, timeout=90):
        p = subprocess.run([self.wine, self.bwjob, *args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace").strip()

    def create(self, path, name, file):
        rc, out = self.bwjob_run("create", self.http + path, "C:\\users\\Public\\" + file,
                                 "--name", name)
        if rc != 0 or not out.startswith("{"):
            fail("bwjob create %s: exit %d, output %r" % (path, rc, out))
            return None
        return out[:38]

    def wait_state(self, guid, state, ms):
        rc, out = self.bwjob_run("wait", guid, str(state), str(ms), timeout=ms / 1000 + 60)
        return rc == 0

    def tmux(self, *args, check_rc=True):
        p = subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null", *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        if check_rc and p.returncode != 0:
            fail("tmux %s: exit %d: %s" % (" ".join(args), p.returncode,
                                             p.stderr.decode("utf-8", "replace")))
        return p.stdout.decode("utf-8", "replace")

    def console(self, name, cols, rows, args):
        """Starts bitswatch.exe <args> on Wine's console in a cols x rows tmux window."""
        env = "env WINEPREFIX=%s WINEDEBUG=-all LANG=C.UTF-8" % shlex.quote(
            os.environ.get("WINEPREFIX", ""))
        cmd = "%s %s %s %s; echo BW-EXIT=$?; sleep 600" % (
            env, shlex.quote(self.wine), shlex.quote(self.cli), " ".join(shlex.quote(a) for a in args))
        self.tmux("new-session", "-d", "-s", name, "-x", str(cols), "-y", str(rows), cmd)

    def history(self, name):
        out = self.tmux("display-message", "-p", "-t", name, "#{history_size}").strip()
        return int(out) if out.isdigit() else -1

    def pane(self, name):
        return self.tmux("capture-pane", "-p", "-t", name)

    def kill(self, name):
        self.tmux("kill-session", "-t", name, check_rc=False)


def job_lines(pane, short_ids):
    """The lines of the block: those that start with a job's short id."""
    return [l for l in pane.splitlines() if any(l.startswith(s) for s in short_ids)]


STATES = ("Queued", "Connecting", "Transferring", "Suspended", "Error", "TransientError",
          "Transferred", "Acknowledged", "Cancelled")


def state_whole(line):
    return any(re.search(r"(^|\s)%s(\s|$)" % s, line) for s in STATES)


def closed_stdout(env, args, what, results):
    """Row 3: reads the first line, closes the pipe as head does, times the exit."""
    p = subprocess.Popen([env.wine, env.cli, *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    first = p.stdout.readline()
    closed = time.monotonic()
    p.stdout.close()
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    took = time.monotonic() - closed
    err = p.stderr.read().decode("utf-8", "replace")
    results.append((what, first, rc, took, err))


def split_streams(env, j404, js, results):
    """Rows 7 and 8: a job in error and one still going at --timeout-sec,
    stdout and stderr apart (">o 2>e")."""
    p = subprocess.run([env.wine, env.cli, "watch", "--timeout-sec", "2", j404, js],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
    results.append((p.returncode, p.stdout.decode("utf-8", "replace"),
                    p.stderr.decode("utf-8", "replace")))


def head_pipeline(env, args, results):
    """Row 3 as reported: "bitswatch.exe watch --json {slow} | head -n 1"."""
    cmd = "%s %s %s | head -n 1 >/dev/null; echo ${PIPESTATUS[0]}" % (
        shlex.quote(env.wine), shlex.quote(env.cli), " ".join(shlex.quote(a) for a in args))
    start = time.monotonic()
    p = subprocess.run(["bash", "-c", cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=90)
    took = time.monotonic() - start
    out = p.stdout.decode().strip()
    results.append(("| head -n 1 (%s)" % " ".join(args[:2]), b"x", int(out) if out.isdigit() else None,
                    took, p.stderr.decode("utf-8", "replace")))


# The slow job: 1.25 MB at 64 KB/s, about 20 s; the console and closed-stdout
# checks run side by side while it moves (they need about 8 s).
SLOW_PATH = "/slow/1310720?rate=65536&chunk=4096"
# Jobs for the block taller than the window (24 rows).
MANY = 38
# A closed stdout must end the watch within this (a write a second, then
# the exit); the slow job goes on for 10 s or more after that.
CLOSED_LIMIT_S = 5.0


def widths_check(env):
    j404 = env.create("/status/404", "console check: a job not found (404)", "bw_con_404.bin")
    if not j404:
        return
    check(env.wait_state(j404, 4, 60000), "the 404 job never reached Error")
    js = env.create(SLOW_PATH, "console check: a slow transferring job", "bw_con_slow.bin")
    if not js:
        env.bwjob_run("cancel", j404)
        return
    check(env.wait_state(js, 2, 60000), "the slow job never transferred")
    shorts = [j404[1:9], js[1:9]]

    results = []
    threads = [threading.Thread(target=closed_stdout, args=(env, ["watch", "--json", js], "--json", results)),
               threading.Thread(target=closed_stdout, args=(env, ["watch", js], "text", results)),
               threading.Thread(target=head_pipeline, args=(env, ["watch", "--json", js], results))]
    split = []
    threads.append(threading.Thread(target=split_streams, args=(env, j404, js, split)))
    sizes = (40, 80, 140)
    for c in sizes:
        env.console("w%d" % c, c, 24, ["watch", "--interval-ms", "100", j404, js])
    for t in threads:
        t.start()
    time.sleep(3.0)  # started, drawn a few times
    h1 = {c: env.history("w%d" % c) for c in sizes}
    time.sleep(3.0)  # about 30 more refreshes
    for c in sizes:
        name = "w%d" % c
        h2 = env.history(name)
        pane = env.pane(name)
        check(h2 == h1[c] and h2 >= 0,
              "row 1: watch at %dx24: the scrollback grew from %d to %d lines while it ran"
              " (a redraw that does not stay in place); screen:\n%s" % (c, h1[c], h2, pane))
        lines = job_lines(pane, shorts)
        check(len(lines) == 2, "row 1: watch at %dx24: want one line per job, got %d; screen:\n%s"
              % (c, len(lines), pane))
        for l in lines:
            check(state_whole(l), "row 9: at %d columns the state is cut: %r" % (c, l))
            if l.startswith(shorts[0]):
                check("error 0x80190194" in l, "row 9: at %d columns the error code is cut: %r" % (c, l))
            if c >= 80 and l.startswith(shorts[1]):
                check(re.search(r"\d B/s|\d\.\d [KMGT]B/s", l),
                      "row 9: at %d columns no whole rate (with /s): %r" % (c, l))
            for m in re.finditer(r"\d+(\.\d)? ([KMGT]?B)(\S*)", l):
                check(m.group(3) in ("", "/s"), "row 9: a size cut at %d columns: %r" % (c, l))
        env.kill(name)
    for t in threads:
        t.join(90)
    check(len(results) == 3, "row 3: the closed-stdout runs did not all finish")
    for what, first, rc, took, err in results:
        check(first, "row 3: %s: no first line" % what)
        check(took < CLOSED_LIMIT_S,
              "row 3: %s: still running %.1f s after its stdout was closed (limit %.1f s)"
              % (what, took, CLOSED_LIMIT_S))
        check(rc == 141, "row 3: %s: exit %s, want 141 (stdout closed)" % (what, rc))
        check("bitswatch" not in err, "row 3: %s: not quiet, stderr: %r" % (what, err))
        print("row 3: %s: exited %.2f s after the pipe closed, exit %s" % (what, took, rc))

    if check(len(split) == 1, "row 7: the >o 2>e run did not finish"):
        rc, out, err = split[0]
        # Row 7: job lines on stdout, every error (the job's, the timeout) on stderr.
        check("error in remote file" in err and "HTTP 404" in err and "not done after" in err,
              "row 7: the job's error and the timeout are not on stderr: %r" % err)
        check("error in" not in out and "not done after" not in out and shorts[0] in out,
              "row 7: stdout holds more than job lines: %r" % out)
        # Row 8: a failed job and one timed out: 1 wins over 3 (as --help says).
        check(rc == 1, "row 8: a job in error and one timed out: exit %d, want 1" % rc)

    check(env.wait_state(js, 6, 90000), "the slow job never transferred")
    env.bwjob_run("complete", js)
    env.bwjob_run("cancel", j404)


def many_check(env):
    guids = []
    for i in range(MANY):
        g = env.create("/hang/1000", "console many %02d" % i, "bw_con_many_%d.bin" % i)
        if not g:
            break
        guids.append(g)
    try:
        if len(guids) < MANY:
            return
        env.console("many", 140, 24, ["watch", "--all", "--interval-ms", "100"])
        shorts = [g[1:9] for g in guids]
        pane = ""
        until = time.monotonic() + 30
        while time.monotonic() < until:  # the first drawing
            pane = env.pane("many")
            if job_lines(pane, shorts):
                break
            time.sleep(0.2)
        time.sleep(1.0)
        h1 = env.history("many")
        time.sleep(3.0)  # about 30 refreshes
        h2 = env.history("many")
        pane = env.pane("many")
        check(h2 == h1, "row 2: watch --all over %d jobs at 140x24: the scrollback grew from %d to"
              " %d lines (the block is taller than the window); screen:\n%s" % (MANY, h1, h2, pane))
        if not check(re.search(r"^\+\d+ more", pane, re.M),
                     "row 2: watch --all over %d jobs at 140x24: no '+N more' line; screen:\n%s"
                     % (MANY, pane)):
            return
        shown = job_lines(pane, shorts)
        more = re.search(r"^\+(\d+) more", pane, re.M)
        check(len(shown) <= 22 and more and len(shown) + int(more.group(1)) >= MANY,
              "row 2: want at most 22 job lines and '+N more' for the rest; screen:\n%s" % pane)
        # Busiest first: the job in flight (Wine moves one at a time) shows.
        check(re.search(r"Connecting|Transferring", pane),
              "row 2: the job in flight is not among those shown; screen:\n%s" % pane)
        env.kill("many")
    finally:
        for g in guids:  # hanging or queued: safe to cancel under Wine
            env.bwjob_run("cancel", g)


def main():
    if len(sys.argv) != 4:
        print("usage: check_console.py <wine> <bitswatch.exe> <bwjob.exe>", file=sys.stderr)
        return 2
    http = os.environ.get("BW_TEST_HTTP")
    if not http:
        print("check_console.py: set BW_TEST_HTTP (tests/integration/http_server.py)", file=sys.stderr)
        return 1
    if not shutil.which("tmux"):
        print("check_console.py: FAIL: tmux is not installed: the console checks need it to make"
              " and render a pty (apt-get install tmux)", file=sys.stderr)
        return 1
    env = Env(sys.argv[1], sys.argv[2], sys.argv[3], http)
    # Can tmux make a pty here at all? Say so plainly when not.
    p = subprocess.run(["tmux", "-L", env.sock, "-f", "/dev/null", "new-session", "-d", "-s", "probe",
                        "-x", "40", "-y", "5", "sleep 5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        print("check_console.py: FAIL: tmux cannot make a pty here: %s"
              % p.stderr.decode("utf-8", "replace"), file=sys.stderr)
        return 1
    env.kill("probe")
    try:
        widths_check(env)
        many_check(env)
    finally:
        env.tmux("kill-server", check_rc=False)
    if failures:
        print("check_console.py: %d check(s) failed" % failures, file=sys.stderr)
        return 1
    print("check_console.py: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
