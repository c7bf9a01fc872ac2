#!/usr/bin/env python3
"""Static checks of the x86 ABI of bitswatch.dll (there is no 32-bit Wine here).

  check_x86_abi.py --dll DLL --implib LIB --header H --def DEF
  check_x86_abi.py --self-test --dll DLL --implib LIB --header H --def DEF

Checks, each computed independently of the build:
  1. the DLL's export table holds exactly the names of the .def, undecorated
     (tests/check_exports.sh);
  2. every .def name has a BWAPI prototype in the header, and every BWAPI
     prototype is in the .def;
  3. the import library defines, for each export, _Name@N and __imp__Name@N,
     where N is the stdcall argument size computed here from the header's
     prototype (4 bytes a parameter: pointers, handles, UINT32, HRESULT; 8 for
     UINT64/INT64/double; 16 for a GUID by value) - so __stdcall is really what
     the compiler used, with the argument widths the header promises;
  4. each import entry of the library names the undecorated export (what the
     loader looks up in the DLL), not Name@N.
--self-test runs the checks on tampered copies (a .def with an extra name, a
header with a widened parameter, an import library made from wrong sizes) and
fails unless every tampered copy is rejected and the real inputs pass.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TRIPLE = "i686-w64-mingw32"

# Sizes of by-value parameter types on x86 (stdcall rounds each up to 4).
SIZES = {
    "UINT32": 4, "INT32": 4, "HRESULT": 4, "DWORD": 4, "LONG": 4, "ULONG": 4,
    "BOOL": 4, "UINT": 4, "INT": 4, "int": 4, "unsigned": 4, "float": 4,
    "WCHAR": 4, "USHORT": 4, "UINT16": 4, "BYTE": 4, "UINT8": 4, "char": 4,
    "BW_JOB": 4, "BW_QUEUE": 4, "HANDLE": 4, "HMODULE": 4, "SIZE_T": 4, "UINT_PTR": 4,
    "UINT64": 8, "INT64": 8, "ULONGLONG": 8, "LONGLONG": 8, "DWORD64": 8,
    "double": 8, "__int64": 8,
    "GUID": 16,
}
QUALIFIERS = {"const", "volatile", "struct", "enum", "signed", "unsigned"}


def header_prototypes(path):
    """{name: stdcall argument bytes} for every BWAPI function in the header."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"^\s*#[^\n]*(\\\n[^\n]*)*", " ", text, flags=re.M)
    protos = {}
    for m in re.finditer(r"\bBWAPI\s+(\w+)\s*\(([^)]*)\)\s*;", text):
        name, params = m.group(1), m.group(2).strip()
        if name in protos:
            raise ValueError("%s: declared twice" % name)
        total = 0
        if params not in ("", "void"):
            for p in params.split(","):
                total += param_size(name, p)
        protos[name] = total
    return protos


def param_size(func, param):
    p = param.strip()
    if "[" in p or "*" in p:
        return 4  # pointers (and arrays, which decay to pointers)
    words = [w for w in re.findall(r"\w+", p)]
    # "unsigned" alone is a type; with another type word it is a qualifier.
    types = [w for w in words[:-1] if w not in QUALIFIERS] or \
            [w for w in words[:-1] if w == "unsigned"]
    if not types:
        raise ValueError("%s: cannot read the type of parameter '%s'" % (func, p))
    t = types[-1]
    if t not in SIZES:
        raise ValueError("%s: unknown by-value type '%s' in '%s' (add it to SIZES)"
                         % (func, t, p))
    return (SIZES[t] + 3) // 4 * 4


def def_names(path):
    names = []
    inside = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split(";", 1)[0].strip()
            if not line:
                continue
            if re.match(r"EXPORTS\b", line):
                inside = True
                line = line[len("EXPORTS"):].strip()
                if not line:
                    continue
            elif re.match(r"(LIBRARY|NAME|HEAPSIZE|STACKSIZE|SECTIONS|VERSION|DESCRIPTION)\b", line):
                inside = False
                continue
            if inside:
                names.append(re.split(r"[\s=]", line)[0])
    return names


def tool(name):
    return os.environ.get(name.upper(), "%s-%s" % (TRIPLE, name))


def implib_symbols(lib):
    """({name: N} from _Name@N, {name: N} from __imp__Name@N, [import names])."""
    out = subprocess.run([tool("nm"), "-g", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    thunks, imps = {}, {}
    for line in out.splitlines():
        m = re.match(r"\S*\s+([TI])\s+(__imp_)?_(Bw\w+)@(\d+)$", line.strip())
        if not m:
            continue
        table = imps if m.group(2) else thunks
        table[m.group(3)] = int(m.group(4))
    # .idata$6 of each member: a 2-byte hint, then the name the loader looks up.
    dump = subprocess.run([tool("objdump"), "-s", "-j", ".idata$6", lib], check=True,
                          capture_output=True, text=True).stdout
    imported = []
    data = None
    for line in dump.splitlines() + [""]:
        if line.startswith("Contents of section .idata$6"):
            data = bytearray()
            continue
        m = re.match(r"\s[0-9a-f]{4,8}\s((?:[0-9a-f]{2,8}\s)+)", line + " ")
        if data is not None and m:
            data += bytes.fromhex("".join(m.group(1).split()))
            continue
        if data is not None:
            name = bytes(data[2:]).split(b"\0", 1)[0].decode("ascii", "replace")
            if name:
                imported.append(name)
            data = None
    return thunks, imps, imported


def check(dll, lib, header, deffile, quiet=False):
    """Returns a list of problems (empty: all good)."""
    problems = []
    r = subprocess.run(["bash", os.path.join(HERE, "check_exports.sh"), dll, deffile],
                       capture_output=True, text=True)
    if r.returncode != 0:
        problems.append("export table: " + (r.stderr.strip() or r.stdout.strip()))
    try:
        protos = header_prototypes(header)
    except ValueError as e:
        return problems + ["header: %s" % e]
    names = def_names(deffile)
    for n in names:
        if n not in protos:
            problems.append("%s: in the .def but no BWAPI prototype in the header" % n)
    for n in protos:
        if n not in names:
            problems.append("%s: BWAPI in the header but not exported by the .def" % n)
    thunks, imps, imported = implib_symbols(lib)
    for n in names:
        if n not in protos:
            continue
        want = protos[n]
        for kind, table, sym in (("thunk", thunks, "_%s@%d"), ("import", imps, "__imp__%s@%d")):
            if n not in table:
                problems.append("%s: the import library has no %s" % (n, sym % (n, want)))
            elif table[n] != want:
                problems.append("%s: the import library has %s, the header's prototype needs %s"
                                % (n, sym % (n, table[n]), sym % (n, want)))
    if sorted(imported) != sorted(names):
        extra = sorted(set(imported) - set(names))
        missing = sorted(set(names) - set(imported))
        problems.append("import entries differ from the .def: not in the .def %s, missing %s"
                        % (extra, missing))
    if not problems and not quiet:
        print("check_x86_abi: %d exports, undecorated in %s; import library %s has "
              "_Name@N with N from the header for each (%s)"
              % (len(names), os.path.basename(dll), os.path.basename(lib),
                 ", ".join("%s@%d" % (n, protos[n]) for n in names)))
    return problems


def self_test(args):
    ok = True
    real = check(args.dll, args.implib, args.header, args.deffile, quiet=True)
    if real:
        print("self-test: the real inputs fail:\n  " + "\n  ".join(real))
        return False
    tmp = tempfile.mkdtemp(prefix="bw-x86abi-")
    try:
        # 1. a .def with an extra export
        bad_def = os.path.join(tmp, "extra.def")
        with open(args.deffile, encoding="utf-8") as f:
            text = f.read()
        with open(bad_def, "w", encoding="utf-8") as f:
            f.write(text.rstrip("\n") + "\n    BwJobFrobnicate\n")
        # 2. a header where BwJobPoll's timeout became 64-bit (needs @16)
        bad_h = os.path.join(tmp, "bitswatch.h")
        with open(args.header, encoding="utf-8") as f:
            h = f.read()
        h2 = h.replace("BwJobPoll(BW_JOB job, UINT32 timeoutMs", "BwJobPoll(BW_JOB job, UINT64 timeoutMs")
        if h2 == h:
            print("self-test: could not find BwJobPoll's prototype to tamper with")
            return False
        with open(bad_h, "w", encoding="utf-8") as f:
            f.write(h2)
        # 3. an import library made as if BwJobClose were cdecl-sized wrong (@8)
        protos = header_prototypes(args.header)
        names = def_names(args.deffile)
        wrong = os.path.join(tmp, "wrong.def")
        with open(wrong, "w", encoding="utf-8") as f:
            f.write("LIBRARY bitswatch.dll\nEXPORTS\n")
            for n in names:
                f.write("    %s@%d\n" % (n, protos[n] + (4 if n == "BwJobClose" else 0)))
        bad_lib = os.path.join(tmp, "libbitswatch.dll.a")
        subprocess.run([tool("dlltool"), "-k", "-d", wrong, "-D", "bitswatch.dll", "-l", bad_lib],
                       check=True)
        # 4. an import library without -k: entries would name BwJobPoll@12
        right = os.path.join(tmp, "right.def")
        with open(right, "w", encoding="utf-8") as f:
            f.write("LIBRARY bitswatch.dll\nEXPORTS\n")
            for n in names:
                f.write("    %s@%d\n" % (n, protos[n]))
        nok_lib = os.path.join(tmp, "nokill.dll.a")
        subprocess.run([tool("dlltool"), "-d", right, "-D", "bitswatch.dll", "-l", nok_lib],
                       check=True)
        cases = [("def with an extra name", args.dll, args.implib, args.header, bad_def),
                 ("header with a UINT64 parameter", args.dll, args.implib, bad_h, args.deffile),
                 ("import library with a wrong size", args.dll, bad_lib, args.header, args.deffile),
                 ("import library naming decorated exports", args.dll, nok_lib, args.header,
                  args.deffile)]
        for what, d, l, hh, df in cases:
            p = check(d, l, hh, df, quiet=True)
            if p:
                print("self-test: rejected %s: %s" % (what, p[0]))
            else:
                print("self-test: NOT rejected: %s" % what)
                ok = False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dll", required=True)
    ap.add_argument("--implib", required=True)
    ap.add_argument("--header", required=True)
    ap.add_argument("--def", dest="deffile", required=True)
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    for p in (args.dll, args.implib, args.header, args.deffile):
        if not os.path.isfile(p):
            print("check_x86_abi: no such file: %s" % p, file=sys.stderr)
            return 1
    if args.self_test:
        return 0 if self_test(args) else 1
    problems = check(args.dll, args.implib, args.header, args.deffile)
    for p in problems:
        print("check_x86_abi: %s" % p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
