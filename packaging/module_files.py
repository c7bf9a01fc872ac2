#!/usr/bin/env python3
"""Lays out the PowerShell module's own files (not the binaries) from ps/.

    module_files.py SRC DEST

Copies SRC/*.psd1 and *.ps1xml into DEST as they are, SRC/src/*.cs (the C#
of BitsWatch.Native.dll, shipped for reading and for the module to compile
when the DLL is absent) into DEST/src/, and writes
DEST/BitsWatch.psm1 with the function files of SRC/Private/ and SRC/Public/
joined in, in place of the psm1's region

    #region BitsWatch functions
    ... (the loop that dot-sources them from the source tree)
    #endregion BitsWatch functions

in the order that loop uses (Private/ then Public/, ordinal order of file
name), each after a "# ---- Private/Name.ps1" line, so a reader of the
package finds the source file. Why joined, not shipped as dot-sourced files:
Windows PowerShell 5.1 verifies the signature of every script it loads
(AllSigned, RemoteSigned on a downloaded copy), so one file is one signature
to make and one to check at import instead of thirty, and the package keeps
the layout (and FileList) it always had. A psm1 without the region (an older
ps/) is copied as it is.

Every file must be ASCII: Windows PowerShell 5.1 reads a script without a BOM
in the system's ANSI code page. The output is byte-reproducible (LF line
ends, no dates). Used by packaging/package.sh, tests/ps (the Pester suite's
package-like copy, check_module.py, run.sh) and tests/winps.
"""
import os
import shutil
import sys

BEGIN = "#region BitsWatch functions"
END = "#endregion BitsWatch functions"
FOLDERS = ("Private", "Public")
COPIED = (".psd1", ".ps1xml", ".cs")
CS_FOLDER = "src"   # the C# sources, copied into DEST/src/ (.cs files only)


class LayoutError(Exception):
    pass


def read_ascii(path):
    data = open(path, "rb").read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as e:
        raise LayoutError("%s: not ASCII at byte %d (Windows PowerShell 5.1 would read it as ANSI)"
                          % (path, e.start))
    return text.replace("\r\n", "\n")


def function_files(src):
    """[(relative name, path)] of the files the region joins, in its order."""
    out = []
    for folder in FOLDERS:
        d = os.path.join(src, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):   # code point order == .NET Ordinal for ASCII
            if name.endswith(".ps1") and os.path.isfile(os.path.join(d, name)):
                out.append((folder + "/" + name, os.path.join(d, name)))
    return out


def joined_psm1(src, psm1_name="BitsWatch.psm1"):
    """The text of the psm1 with the function files joined in."""
    text = read_ascii(os.path.join(src, psm1_name))
    lines = text.split("\n")
    starts = [i for i, l in enumerate(lines) if l.strip() == BEGIN]
    ends = [i for i, l in enumerate(lines) if l.strip() == END]
    if not starts and not ends:
        return text
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise LayoutError("%s: want one '%s' ... '%s' region" % (psm1_name, BEGIN, END))
    parts = [BEGIN + " (joined from Private/ and Public/ by packaging/module_files.py)"]
    for rel, path in function_files(src):
        body = read_ascii(path).rstrip("\n")
        parts.append("")
        parts.append("# ---- " + rel)
        parts.append(body)
    parts.append(END)
    return "\n".join(lines[:starts[0]] + parts + lines[ends[0] + 1:])


def lay_out(src, dest):
    """Writes the module files into dest; returns their names."""
    os.makedirs(dest, exist_ok=True)
    written = []
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if not os.path.isfile(path):
            continue
        ext = os.path.splitext(name)[1]
        if ext == ".psm1":
            with open(os.path.join(dest, name), "w", encoding="ascii", newline="\n") as f:
                f.write(joined_psm1(src, name))
        elif ext in COPIED:
            if ext == ".psd1":
                read_ascii(path)
            shutil.copyfile(path, os.path.join(dest, name))
        else:
            continue
        os.chmod(os.path.join(dest, name), 0o644)
        written.append(name)
    cs = os.path.join(src, CS_FOLDER)
    if os.path.isdir(cs):
        os.makedirs(os.path.join(dest, CS_FOLDER), exist_ok=True)
        for name in sorted(os.listdir(cs)):
            path = os.path.join(cs, name)
            if os.path.isfile(path) and name.endswith(".cs"):
                read_ascii(path)
                shutil.copyfile(path, os.path.join(dest, CS_FOLDER, name))
                os.chmod(os.path.join(dest, CS_FOLDER, name), 0o644)
                written.append(CS_FOLDER + "/" + name)
    return written


def main(argv):
    if len(argv) != 3:
        print("usage: module_files.py SRC DEST", file=sys.stderr)
        return 2
    try:
        written = lay_out(argv[1], argv[2])
    except (LayoutError, OSError) as e:
        print("module_files: %s" % e, file=sys.stderr)
        return 1
    if not written:
        print("module_files: warning: %s has no module files" % argv[1], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
