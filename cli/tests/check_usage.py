#!/usr/bin/env python3
"""check_usage.py - bitswatch.exe's command line: usage errors, help, exit codes.

Run as: check_usage.py <wine> <bitswatch.exe>
(ctest: test_cli_usage). Every case runs bitswatch.exe under Wine and checks
its exit code, stdout and stderr. Usage errors need no BITS; the duplicate
GUID case opens a job that is not there (BG_E_NOT_FOUND), which needs
Wine's BITS service only to answer "no such job".
"""
import subprocess
import sys

failures = 0


def run(wine, exe, *args):
    p = subprocess.run([wine, exe, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(cond, what, rc, out, err):
    global failures
    if not cond:
        failures += 1
        print(f"FAIL: {what}\n  exit {rc}\n  stdout: {out[:800]!r}\n  stderr: {err[:800]!r}",
              file=sys.stderr)


def main():
    if len(sys.argv) != 3:
        print("usage: check_usage.py <wine> <bitswatch.exe>", file=sys.stderr)
        return 2
    wine, exe = sys.argv[1], sys.argv[2]
    guid = "{00000000-0000-0000-0000-0000000000A1}"

    # Row 5: an unknown option of info is a usage error (exit 2) that names it,
    # whatever its place; not a failed open of "--all-users".
    for args, bad in ((["info", "--all-users"], "--all-users"),
                      (["info", "--frob", guid], "--frob"),
                      (["info", guid, "--frob"], "--frob"),
                      (["list", "--frob"], "--frob"),
                      (["watch", "--frob", guid], "--frob")):
        rc, out, err = run(wine, exe, *args)
        check(rc == 2 and f"unknown option '{bad}'" in err and "cannot open" not in err
              and out == "", f"{' '.join(args)}: want exit 2, \"unknown option '{bad}'\"",
              rc, out, err)

    # Row 6: a malformed GUID is a usage error naming the expected form.
    for args in (["info", "1234"], ["watch", "1234"], ["watch", guid, "{1234}"],
                 ["info", "{00000000-0000-0000-0000-0000000000A1"],
                 ["info", "00000000-0000-0000-0000-0000000000AZ"]):
        rc, out, err = run(wine, exe, *args)
        check(rc == 2 and "is not a job GUID" in err and "8-4-4-4-12" in err
              and "cannot open" not in err,
              f"{' '.join(args)}: want exit 2 naming the 8-4-4-4-12 form", rc, out, err)
    # Braces are optional, either case: a well-formed GUID goes on to open.
    rc, out, err = run(wine, exe, "info", guid.strip("{}").lower())
    check(rc == 1 and "cannot open job" in err, "info <guid without braces>: want exit 1, not found",
          rc, out, err)

    # Row 12: per-command help.
    rc_all, all_help, err = run(wine, exe, "--help")
    check(rc_all == 0 and "Options of watch" in all_help and "Options of list" in all_help,
          "--help: the whole help", rc_all, all_help, err)
    for args, mine, other in ((["watch", "--help"], "Options of watch", "Options of list"),
                              (["help", "watch"], "Options of watch", "Options of info"),
                              (["list", "--help"], "Options of list", "Options of watch"),
                              (["help", "info"], "Options of info", "Options of watch"),
                              (["HELP", "LIST"], "Options of list", "Options of watch")):
        rc, out, err = run(wine, exe, *args)
        check(rc == 0 and mine in out and other not in out and len(out) < len(all_help),
              f"{' '.join(args)}: want only that command's help", rc, out, err)
    # Row 12: an option where the command goes is an "unknown option".
    rc, out, err = run(wine, exe, "--frobnicate")
    check(rc == 2 and "unknown option '--frobnicate'" in err and "unknown command" not in err,
          "--frobnicate: want \"unknown option\"", rc, out, err)
    rc, out, err = run(wine, exe, "frob")
    check(rc == 2 and "unknown command 'frob'" in err, "frob: want \"unknown command\"", rc, out, err)
    # Row 12: commands are not case-sensitive.
    for cmd in ("LIST", "List", "Info", "WATCH"):
        rc, out, err = run(wine, exe, cmd, "--help")
        check(rc == 0 and "Options of" in out, f"{cmd} --help: want the command's help", rc, out, err)
    # Row 12: the range error states the limit.
    rc, out, err = run(wine, exe, "watch", "--timeout-sec", "99999999999", guid)
    check(rc == 2 and "4000000" in err, "--timeout-sec 99999999999: want the maximum in the message",
          rc, out, err)
    rc, out, err = run(wine, exe, "watch", "--interval-ms", "5", guid)
    check(rc == 2 and "600000" in err and "10" in err, "--interval-ms 5: want the range", rc, out, err)
    # Row 12: the same GUID three times (any case, braces or not) is watched once.
    rc, out, err = run(wine, exe, "watch", guid, guid.lower(), guid.strip("{}"))
    check(rc == 1 and err.count("cannot open job") == 1,
          "watch <guid> x3: want one job (one 'cannot open job')", rc, out, err)

    # Row 8: the precedence of the exit codes is in the help.
    check("first of 130, 141, 1, 3, 0 wins" in all_help and "141" in all_help,
          "--help: want the exit codes' precedence and 141", rc_all, all_help, "")
    rc, out, err = run(wine, exe, "help", "watch")
    check("first of 130, 141, 1, 3, 0 wins" in out, "help watch: want the exit codes' precedence",
          rc, out, err)
    # Row 13: list's help states the units.
    check("1 KB = 1024 bytes" in all_help, "--help: want the size units stated", rc_all, all_help, "")

    if failures:
        print(f"check_usage.py: {failures} check(s) failed", file=sys.stderr)
        return 1
    print("check_usage.py: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
