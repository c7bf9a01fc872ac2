#!/usr/bin/env python3
"""check_json_output.py DIR - checks bitswatch.exe's --json output.

test_cli_integration (under Wine, on real BITS jobs) leaves in DIR what
`list --json`, `info --json` and `watch --json` printed, and jobs.txt with the
GUIDs of its jobs. This parses every line with Python's json module, strictly:
the bytes must be UTF-8, lines end in LF alone, each line one object, no NaN
or Infinity, no lone surrogate in any string; every object has the schema's
members with the right types (README.md, "JSON output"), and the jobs have
the values they must have (a 404 job in Error, a transferred job completed,
a display name with quotes, controls and a lone surrogate back intact).
It also checks what `watch --all --json` printed while following the queue
(follow.ndjson, follow-empty.ndjson; follow.txt names the jobs): a job that
arrived and was cancelled has its statuses, a Cancelled one among them, and
then one end object (Reason "cancelled"), last.
"""
import datetime
import json
import os
import re
import sys

SCHEMA = 1

# The display name test_cli_integration.c gives the odd job (ODD_NAME), as it
# must come back: the lone high surrogate as U+FFFD, everything else exact.
ODD_NAME = 'q"b\\s\t\x01\x1b[1m\ufffd \U0001F600\u202eexe caf\u00e9 \u65e5'

STATES = ["Queued", "Connecting", "Transferring", "Suspended", "Error",
          "TransientError", "Transferred", "Acknowledged", "Cancelled"]
TYPES = ["Download", "Upload", "UploadReply"]
PRIORITIES = ["Foreground", "High", "Normal", "Low"]
CONTEXTS = ["None", "Unknown", "GeneralQueueManager", "QueueManagerNotification",
            "LocalFile", "RemoteFile", "GeneralTransport", "RemoteApplication",
            "ServerCertificateCallback"]

GUID_RE = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$")
HR_RE = re.compile(r"^0x[0-9A-F]{8}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

STATUS_KEYS = ["State", "StateCode", "Type", "TypeCode", "Changed", "Sequence",
               "Timestamp", "BytesTotal", "BytesTransferred", "FilesTotal",
               "FilesTransferred", "ReplyBytesTotal", "ReplyBytesTransferred",
               "ErrorCode", "ErrorContext", "ErrorContextCode", "ErrorText",
               "BytesPerSecond", "EtaSeconds"]
INFO_KEYS = ["JobId", "DisplayName", "Description", "Owner", "Type", "TypeCode",
             "Priority", "PriorityCode", "CreationTime", "ModificationTime",
             "TransferCompletionTime", "ErrorCount"]
ERROR_KEYS = ["ErrorCode", "Context", "ContextCode", "Description",
              "ContextDescription", "RemoteName", "LocalName", "Protocol"]
KEYS = {
    "status": ["schema", "kind", "JobId", "DisplayName"] + STATUS_KEYS,
    "info": ["schema", "kind"] + INFO_KEYS
            + [k for k in STATUS_KEYS if k not in ("Type", "TypeCode")] + ["Error"],
    "end": ["schema", "kind", "JobId", "DisplayName", "Outcome", "Reason", "Result",
            "ResultText", "Error"],
    "failure": ["schema", "kind", "JobId", "Operation", "Result", "ResultText"],
}
REASONS = ["transferred", "acknowledged", "completed", "cancelled", "error",
           "disappeared", "open-failed", "poll-failed", "complete-failed", "timeout"]

failures = []


def fail(where, msg):
    failures.append("%s: %s" % (where, msg))


def check(cond, where, msg):
    if not cond:
        fail(where, msg)
    return cond


def no_surrogates(value, where):
    """No decoded string may hold a surrogate code point (they have no
    UTF-8 form; the writer replaces lone ones with U+FFFD)."""
    if isinstance(value, str):
        check(not any(0xD800 <= ord(c) <= 0xDFFF for c in value), where,
              "a surrogate code point in %r" % value)
    elif isinstance(value, dict):
        for k, v in value.items():
            no_surrogates(k, where)
            no_surrogates(v, where)
    elif isinstance(value, list):
        for v in value:
            no_surrogates(v, where)


def reject_constant(name):
    raise ValueError("not JSON: %s" % name)


def load(path):
    """The objects of an NDJSON file, parsed strictly."""
    where = os.path.basename(path)
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        fail(where, "not UTF-8: %s" % e)
        return []
    check(text.endswith("\n"), where, "does not end with a newline")
    check("\r" not in text, where, "a CR in NDJSON (lines end in LF)")
    # Raw bytes a terminal would act on: controls, DEL, C1, bidi controls.
    for c in text:
        o = ord(c)
        if (o < 0x20 and c != "\n") or 0x7F <= o <= 0x9F or o in (0x200E, 0x200F, 0x2028, 0x2029) \
                or 0x202A <= o <= 0x202E or 0x2066 <= o <= 0x2069:
            fail(where, "raw U+%04X in the output (must be escaped)" % o)
            break
    objects = []
    for n, line in enumerate(text.split("\n")[:-1], 1):
        lw = "%s:%d" % (where, n)
        try:
            obj = json.loads(line, parse_constant=reject_constant)
        except ValueError as e:
            fail(lw, "does not parse: %s: %r" % (e, line[:200]))
            continue
        if not check(isinstance(obj, dict), lw, "not an object"):
            continue
        no_surrogates(obj, lw)
        check_object(obj, lw)
        objects.append(obj)
    check(objects, where, "no objects")
    return objects


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def uint(obj, key, where, nullable=False):
    v = obj.get(key)
    if v is None and nullable:
        return
    check(is_int(v) and v >= 0, where, "%s: %r is not a whole number >= 0" % (key, v))


def text_or_null(obj, key, where):
    v = obj.get(key)
    check(v is None or isinstance(v, str), where, "%s: %r is not text or null" % (key, v))


def time_or_null(obj, key, where):
    v = obj.get(key)
    if v is None:
        return
    if not check(isinstance(v, str) and TIME_RE.match(v), where,
                 "%s: %r is not ISO 8601 UTC with milliseconds" % (key, v)):
        return
    t = datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%S.%fZ")
    now = datetime.datetime.utcnow()
    check(abs((now - t).total_seconds()) < 86400, where, "%s: %s is not about now (%s)" % (key, v, now))


def enum(obj, key, code_key, names, where):
    code = obj.get(code_key)
    if not check(is_int(code) and code >= 0, where, "%s: %r" % (code_key, code)):
        return
    want = names[code] if code < len(names) else None
    check(obj.get(key) == want, where, "%s: %r, want %r for %s %d" % (key, obj.get(key), want,
                                                                       code_key, code))


def hr_or_null(obj, key, where):
    v = obj.get(key)
    check(v is None or (isinstance(v, str) and HR_RE.match(v)), where,
          "%s: %r is not an HRESULT as 0x%%08X text" % (key, v))


def check_status_members(o, w, with_type=True):
    enum(o, "State", "StateCode", STATES, w)
    if with_type:
        enum(o, "Type", "TypeCode", TYPES, w)
    for k in ("Changed", "Sequence", "BytesTransferred", "FilesTotal", "FilesTransferred",
              "ReplyBytesTransferred"):
        uint(o, k, w)
    check(o.get("Changed", 0) <= 15, w, "Changed: %r" % o.get("Changed"))
    uint(o, "BytesTotal", w, nullable=True)
    uint(o, "ReplyBytesTotal", w, nullable=True)
    check(o.get("Timestamp") is not None, w, "Timestamp is null")
    time_or_null(o, "Timestamp", w)
    if o.get("ErrorCode") is None:
        for k in ("ErrorContext", "ErrorContextCode", "ErrorText"):
            check(o.get(k) is None, w, "%s: %r without an ErrorCode" % (k, o.get(k)))
    else:
        hr_or_null(o, "ErrorCode", w)
        enum(o, "ErrorContext", "ErrorContextCode", CONTEXTS, w)
        text_or_null(o, "ErrorText", w)
    v = o.get("BytesPerSecond")
    check(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0, w,
          "BytesPerSecond: %r" % v)
    v = o.get("EtaSeconds")
    check(v is None or (is_int(v) and v >= 0), w, "EtaSeconds: %r" % v)


def check_error_object(e, w):
    if e is None:
        return
    if not check(isinstance(e, dict), w, "Error: %r is not an object or null" % e):
        return
    check(list(e.keys()) == ERROR_KEYS, w, "Error members %s, want %s" % (list(e.keys()), ERROR_KEYS))
    hr_or_null(e, "ErrorCode", w)
    enum(e, "Context", "ContextCode", CONTEXTS, w)
    for k in ERROR_KEYS[3:]:
        text_or_null(e, k, w)


def check_object(o, w):
    """The members every object of its kind has, with their types."""
    check(o.get("schema") == SCHEMA and is_int(o.get("schema")), w, "schema: %r" % o.get("schema"))
    kind = o.get("kind")
    if not check(kind in KEYS, w, "kind: %r" % kind):
        return
    check(list(o.keys()) == KEYS[kind], w, "%s members %s, want %s" % (kind, list(o.keys()), KEYS[kind]))
    check(isinstance(o.get("JobId"), str), w, "JobId: %r" % o.get("JobId"))
    if kind == "status":
        check(GUID_RE.match(o["JobId"] or ""), w, "JobId: %r" % o["JobId"])
        text_or_null(o, "DisplayName", w)
        check_status_members(o, w)
    elif kind == "info":
        check(GUID_RE.match(o["JobId"] or ""), w, "JobId: %r" % o["JobId"])
        for k in ("DisplayName", "Description", "Owner"):
            text_or_null(o, k, w)
        enum(o, "Type", "TypeCode", TYPES, w)
        if o.get("PriorityCode") is None:  # not reported by the service (Wine's)
            check(o.get("Priority") is None, w, "Priority %r with PriorityCode null"
                  % (o.get("Priority"),))
        else:
            enum(o, "Priority", "PriorityCode", PRIORITIES, w)
        for k in ("CreationTime", "ModificationTime", "TransferCompletionTime"):
            time_or_null(o, k, w)
        uint(o, "ErrorCount", w)
        check_status_members(o, w, with_type=False)
        check_error_object(o.get("Error"), w)
    elif kind == "end":
        text_or_null(o, "DisplayName", w)
        check(o.get("Outcome") in ("ok", "failed", "timeout"), w, "Outcome: %r" % o.get("Outcome"))
        check(o.get("Reason") in REASONS, w, "Reason: %r" % o.get("Reason"))
        hr_or_null(o, "Result", w)
        text_or_null(o, "ResultText", w)
        check_error_object(o.get("Error"), w)
    elif kind == "failure":
        check(GUID_RE.match(o["JobId"] or ""), w, "JobId: %r" % o["JobId"])
        check(o.get("Operation") in ("open", "read"), w, "Operation: %r" % o.get("Operation"))
        hr_or_null(o, "Result", w)
        text_or_null(o, "ResultText", w)


def one(objects, where, **match):
    found = [o for o in objects if all(o.get(k) == v for k, v in match.items())]
    check(len(found) == 1, where, "%d objects with %s, want 1" % (len(found), match))
    return found[0] if found else {}


def check_cancelled_job(objs, w, job, what, may_fail=False):
    """job's objects: statuses (from its first read on, Cancelled among them),
    then one end object, cancelled, last. may_fail: a job on a hanging
    endpoint that WinHTTP may have given up on first (its receive timeout,
    30 s, on a slow machine): an end in error will do too."""
    mine = [o for o in objs if o.get("JobId") == job]
    if not check(mine, w, "%s %s: no objects" % (what, job)):
        return
    kinds = [o.get("kind") for o in mine]
    check(kinds[-1] == "end" and kinds.count("end") == 1
          and all(k == "status" for k in kinds[:-1]), w,
          "%s %s: kinds %r, want statuses then one end" % (what, job, kinds))
    check(mine[0].get("kind") == "status" and mine[0].get("Changed") == 15, w,
          "%s %s: the first object is not a first read: %r" % (what, job, mine[0]))
    end = mine[-1]
    if may_fail and end.get("Reason") == "error":
        return
    check(any(o.get("State") == "Cancelled" for o in mine if o.get("kind") == "status"), w,
          "%s %s: no Cancelled status in %r" % (what, job, [o.get("State") for o in mine]))
    check(end.get("Outcome") == "failed" and end.get("Reason") == "cancelled"
          and end.get("Result") is None and end.get("Error") is None, w,
          "%s %s: end %r" % (what, job, end))


def check_follow(d):
    """watch --all --json following the queue. Returns the files checked."""
    txt = os.path.join(d, "follow.txt")
    if not os.path.exists(txt):
        fail("follow.txt", "missing: test_cli_integration's watch --all part did not finish")
        return 0
    with open(txt) as f:
        ids = dict(line.strip().split("=", 1) for line in f if "=" in line)
    objs = load(os.path.join(d, "follow.ndjson"))
    # busy: there at the start; late: created after the watch started.
    check_cancelled_job(objs, "follow.ndjson", ids["busy"], "job there at the start", may_fail=True)
    check_cancelled_job(objs, "follow.ndjson", ids["late"], "job that arrived")
    objs = load(os.path.join(d, "follow-empty.ndjson"))
    check_cancelled_job(objs, "follow-empty.ndjson", ids["next"], "job that arrived")
    return 2


def check_readme_info_order():
    """Issue 21, row 11: README.md states the info object's members in the
    order they come, and why Changed/Sequence are not a first read's."""
    w = "README.md"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")
    with open(path, encoding="utf-8") as f:
        readme = f.read()
    row = next((l for l in readme.splitlines() if l.startswith("| **info** |")), "")
    m = re.search(r"in this order: (.*?), then every member of \*\*status\*\* after `TypeCode`"
                  r" \(`State` … `EtaSeconds`\), then `Error`", row)
    if not check(m, w, "the info row does not state the member order: %r" % row):
        return
    named = []
    for part in m.group(1).split(", "):
        named += re.findall(r"`(\w+)`", part)
    want = ["schema", "kind"] + named + [k for k in STATUS_KEYS if k not in ("Type", "TypeCode")] + ["Error"]
    check(want == KEYS["info"], w, "documented info order %s, output's %s" % (want, KEYS["info"]))
    check("up to 1.5 s" in row and "`Changed`" in row, w,
          "the info row does not say why Changed and Sequence are not a first read's: %r" % row)


def main():
    check_readme_info_order()
    if len(sys.argv) != 2:
        print("usage: check_json_output.py DIR", file=sys.stderr)
        return 2
    d = sys.argv[1]
    jobs_txt = os.path.join(d, "jobs.txt")
    if not os.path.exists(jobs_txt):
        print("check_json_output: %s is missing: test_cli_integration did not write it"
              " (did it run, and pass its --json part?)" % jobs_txt, file=sys.stderr)
        return 1
    with open(jobs_txt) as f:
        ids = dict(line.strip().split("=", 1) for line in f if "=" in line)
    nf, fast, odd, missing = ids["nf"], ids["fast"], ids["odd"], ids["missing"]

    # list --json: a status per job (leftovers of other tests too, all checked
    # by check_object); ours with their values.
    objs = load(os.path.join(d, "list.ndjson"))
    w = "list.ndjson"
    o = one(objs, w, kind="status", JobId=nf)
    check(o.get("State") == "Error" and o.get("StateCode") == 4, w, "404 job: %r" % o)
    check(o.get("ErrorCode") == "0x80190194", w, "404 job ErrorCode %r" % o.get("ErrorCode"))
    check(o.get("ErrorContext") == "RemoteFile" and o.get("ErrorContextCode") == 5, w,
          "404 job context %r" % o.get("ErrorContext"))
    check("404" in (o.get("ErrorText") or ""), w, "404 job ErrorText %r" % o.get("ErrorText"))
    check(o.get("DisplayName") == "json 404", w, "404 job name %r" % o.get("DisplayName"))
    check(o.get("EtaSeconds") is None, w, "404 job EtaSeconds %r" % o.get("EtaSeconds"))
    o = one(objs, w, kind="status", JobId=fast)
    check(o.get("State") == "Transferred" and o.get("FilesTransferred") == 1, w, "fast job %r" % o)
    # Wine's BITS never knows a job's total (README): unknown is null.
    check(o.get("BytesTransferred") == 5000, w, "fast job bytes %r" % o.get("BytesTransferred"))
    check(o.get("BytesTotal") in (None, 5000), w, "fast job BytesTotal %r" % o.get("BytesTotal"))
    check(o.get("ErrorCode") is None, w, "fast job ErrorCode %r" % o.get("ErrorCode"))
    o = one(objs, w, kind="status", JobId=odd)
    check(o.get("DisplayName") == ODD_NAME, w, "odd name %r, want %r" % (o.get("DisplayName"), ODD_NAME))

    # info --json
    objs = load(os.path.join(d, "info-404.ndjson"))
    w = "info-404.ndjson"
    check(len(objs) == 1, w, "%d objects, want 1" % len(objs))
    o = one(objs, w, kind="info", JobId=nf)
    e = o.get("Error") or {}
    check(e.get("ErrorCode") == "0x80190194" and e.get("Context") == "RemoteFile"
          and e.get("ContextCode") == 5, w, "Error %r" % e)
    check("404" in (e.get("Description") or ""), w, "Error.Description %r" % e.get("Description"))
    check((e.get("RemoteName") or "").endswith("/status/404"), w, "Error.RemoteName %r" % e.get("RemoteName"))
    check(o.get("State") == "Error" and o.get("Type") == "Download", w, "info %r" % o)
    objs = load(os.path.join(d, "info-fast.ndjson"))
    w = "info-fast.ndjson"
    o = one(objs, w, kind="info", JobId=fast)
    check(o.get("Error") is None and o.get("State") == "Transferred", w, "info %r" % o)
    check(o.get("DisplayName") == "json fast", w, "name %r" % o.get("DisplayName"))
    objs = load(os.path.join(d, "info-odd.ndjson"))
    w = "info-odd.ndjson"
    o = one(objs, w, kind="info", JobId=odd)
    check(o.get("DisplayName") == ODD_NAME, w, "odd name %r, want %r" % (o.get("DisplayName"), ODD_NAME))
    check(o.get("Error") is None, w, "Error %r" % o.get("Error"))

    # watch --json: per job its statuses, then one end, last.
    objs = load(os.path.join(d, "watch.ndjson"))
    w = "watch.ndjson"
    for job in (nf, fast, odd, missing):
        mine = [o for o in objs if o.get("JobId") == job]
        ends = [o for o in mine if o.get("kind") == "end"]
        if check(len(ends) == 1 and mine and mine[-1] is ends[0], w,
                 "%s: %d end objects, or not the last of its %d objects" % (job, len(ends), len(mine))):
            check(all(o.get("kind") == "status" for o in mine[:-1]), w, "%s: kinds %r" % (
                job, [o.get("kind") for o in mine]))
    end = one(objs, w, kind="end", JobId=nf)
    check(end.get("Outcome") == "failed" and end.get("Reason") == "error"
          and end.get("Result") == "0x80190194", w, "404 end %r" % end)
    check("404" in (end.get("ResultText") or ""), w, "404 end ResultText %r" % end.get("ResultText"))
    check((end.get("Error") or {}).get("ContextCode") == 5, w, "404 end Error %r" % end.get("Error"))
    end = one(objs, w, kind="end", JobId=fast)
    check(end.get("Outcome") == "ok" and end.get("Reason") == "completed"
          and end.get("Result") == "0x00000000" and end.get("Error") is None, w, "fast end %r" % end)
    states = [o.get("State") for o in objs if o.get("kind") == "status" and o.get("JobId") == fast]
    check(states[:1] == ["Transferred"] and states[-1:] == ["Acknowledged"], w,
          "fast job states %r, want Transferred ... Acknowledged" % states)
    end = one(objs, w, kind="end", JobId=odd)
    check(end.get("Outcome") == "timeout" and end.get("Reason") == "timeout"
          and end.get("Result") is None, w, "odd end %r" % end)
    check(end.get("DisplayName") == ODD_NAME, w, "odd end name %r" % end.get("DisplayName"))
    end = one(objs, w, kind="end", JobId=missing)
    check(end.get("Outcome") == "failed" and end.get("Reason") == "open-failed"
          and end.get("Result") == "0x80200001" and end.get("DisplayName") is None, w,
          "missing end %r" % end)
    check("not found" in (end.get("ResultText") or ""), w, "missing ResultText %r" % end.get("ResultText"))

    nfiles = 5 + check_follow(d)

    for f in failures:
        print("check_json_output: " + f, file=sys.stderr)
    if failures:
        print("check_json_output: %d check(s) failed" % len(failures), file=sys.stderr)
        return 1
    print("check_json_output: every line of %d files parsed and checked" % nfiles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
