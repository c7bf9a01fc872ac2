#!/usr/bin/env python3
"""pkgtool.py - the reproducible parts of packaging/package.sh.

  pkgtool.py zip <dir> <out.zip> [--prefix NAME] [--add <dir2> NAME2]...
      A zip of every file under <dir> (under NAME/ inside the zip), and of
      each --add folder under its own name: entries sorted, one fixed
      timestamp (SOURCE_DATE_EPOCH, else 1980-01-01), fixed permissions, fixed
      compression level. Same input bytes -> same zip bytes.
  pkgtool.py nupkg <module dir> <out.nupkg> [--license SPDX]
      A PowerShell Gallery style package: the module files at the root, a
      <Name>.nuspec generated from the manifest (<Name>.psd1) with
      <license type="expression">SPDX</license>, [Content_Types].xml,
      _rels/.rels and package/services/metadata/core-properties/<id>.psmdcp.
  pkgtool.py manifest <psd1>          prints the manifest fields as JSON
  pkgtool.py versioninfo <pe file>    prints the VERSIONINFO of a PE file as JSON
                                      (fixed file/product version and the strings)
"""

import hashlib
import json
import os
import re
import struct
import sys
import time
import zipfile
from xml.sax.saxutils import escape

NUSPEC_NS = "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd"


def fixed_date_time():
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01
    epoch = max(epoch, 315532800)  # zip cannot store earlier dates
    return time.gmtime(epoch)[:6]


def write_zip(out, entries):
    """entries: list of (name in zip, bytes). Deterministic bytes out."""
    dt = fixed_date_time()
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=dt)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below are read
            info.external_attr = (0o100644 << 16)
            z.writestr(info, data, compresslevel=9)
    os.replace(tmp, out)


def tree(root):
    files = []
    for d, dirs, names in os.walk(root):
        dirs.sort()
        for n in sorted(names):
            full = os.path.join(d, n)
            files.append((os.path.relpath(full, root).replace(os.sep, "/"), full))
    files.sort()
    return files


def read(path):
    with open(path, "rb") as f:
        return f.read()


def cmd_zip(args):
    root, out, rest = args[0], args[1], args[2:]
    folders = [(root, "")]
    while rest:
        if len(rest) >= 2 and rest[0] == "--prefix":
            folders[0] = (root, rest[1].rstrip("/") + "/")
            rest = rest[2:]
        elif len(rest) >= 3 and rest[0] == "--add":
            folders.append((rest[1], rest[2].rstrip("/") + "/"))
            rest = rest[3:]
        else:
            sys.exit(__doc__)
    entries = [(prefix + rel, read(full)) for d, prefix in folders for rel, full in tree(d)]
    names = [n for n, _ in entries]
    if len(set(names)) != len(names):
        sys.exit("pkgtool: two folders give the same zip entry")
    write_zip(out, sorted(entries))


# ---- the module manifest (a PowerShell data file: enough of it for packaging)

def parse_psd1(path):
    text = read(path).decode("utf-8-sig")
    text = re.sub(r"<#.*?#>", "", text, flags=re.S)
    lines = [re.sub(r"^\s*#.*$", "", l) for l in text.splitlines()]
    text = "\n".join(lines)

    def scalar(key):
        m = re.search(r"(?im)^\s*%s\s*=\s*'((?:[^']|'')*)'" % key, text)
        if m:
            return m.group(1).replace("''", "'")
        m = re.search(r'(?im)^\s*%s\s*=\s*"([^"]*)"' % key, text)
        return m.group(1) if m else None

    def array(key):
        m = re.search(r"(?ims)^\s*%s\s*=\s*@\((.*?)\)" % key, text)
        if not m:
            one = scalar(key)
            return [one] if one else []
        return [a.replace("''", "'") for a in re.findall(r"'((?:[^']|'')*)'", m.group(1))]

    return {
        "Name": os.path.splitext(os.path.basename(path))[0],
        "ModuleVersion": scalar("ModuleVersion"),
        "GUID": scalar("GUID"),
        "Author": scalar("Author"),
        "CompanyName": scalar("CompanyName"),
        "Copyright": scalar("Copyright"),
        "Description": scalar("Description"),
        "PowerShellVersion": scalar("PowerShellVersion"),
        "FunctionsToExport": array("FunctionsToExport"),
        "CmdletsToExport": array("CmdletsToExport"),
        "Tags": array("Tags"),
        "ReleaseNotes": scalar("ReleaseNotes"),
        "ProjectUri": scalar("ProjectUri"),
        "LicenseUri": scalar("LicenseUri"),
        "CompatiblePSEditions": array("CompatiblePSEditions"),
    }


def nuspec(m, license_expression=None):
    tags = list(m["Tags"])
    # What PowerShellGet's Publish-Module adds, so Find-Module -Command works.
    tags.append("PSModule")
    for f in m["FunctionsToExport"]:
        tags += ["PSFunction_" + f, "PSCommand_" + f]
    for c in m["CmdletsToExport"]:
        tags += ["PSCmdlet_" + c, "PSCommand_" + c]
    if m["FunctionsToExport"]:
        tags.append("PSIncludes_Function")
    if m["CmdletsToExport"]:
        tags.append("PSIncludes_Cmdlet")
    seen = []
    for t in tags:
        if t not in seen:
            seen.append(t)
    e = lambda s: escape(s or "")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<package xmlns="%s">' % NUSPEC_NS,
        "  <metadata>",
        "    <id>%s</id>" % e(m["Name"]),
        "    <version>%s</version>" % e(m["ModuleVersion"]),
        "    <authors>%s</authors>" % e(m["Author"]),
        "    <owners>%s</owners>" % e(m["CompanyName"] or m["Author"]),
        "    <requireLicenseAcceptance>false</requireLicenseAcceptance>",
    ]
    if license_expression:
        lines.append('    <license type="expression">%s</license>' % e(license_expression))
    elif m["LicenseUri"]:
        lines.append("    <licenseUrl>%s</licenseUrl>" % e(m["LicenseUri"]))
    if m["ProjectUri"]:
        lines.append("    <projectUrl>%s</projectUrl>" % e(m["ProjectUri"]))
    lines += [
        "    <description>%s</description>" % e(m["Description"]),
        "    <releaseNotes>%s</releaseNotes>" % e(m["ReleaseNotes"]),
        "    <copyright>%s</copyright>" % e(m["Copyright"]),
        "    <tags>%s</tags>" % e(" ".join(seen)),
        "  </metadata>",
        "</package>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def cmd_nupkg(args):
    root, out = args[0], args[1]
    license_expression = None
    if len(args) == 4 and args[2] == "--license":
        license_expression = args[3]
    elif len(args) != 2:
        sys.exit(__doc__)
    psd1 = [n for n in os.listdir(root) if n.endswith(".psd1")]
    if len(psd1) != 1:
        sys.exit("pkgtool: expected one .psd1 in %s, found %s" % (root, psd1))
    m = parse_psd1(os.path.join(root, psd1[0]))
    if not m["ModuleVersion"] or not m["Description"] or not m["Author"]:
        sys.exit("pkgtool: the manifest needs ModuleVersion, Description and Author")
    name, version = m["Name"], m["ModuleVersion"]
    files = tree(root)
    # Stable ids (NuGet uses random ones): derived from name and version.
    seed = hashlib.sha256(("%s %s" % (name, version)).encode()).hexdigest()
    psmdcp = "package/services/metadata/core-properties/%s.psmdcp" % seed[:32]
    exts = sorted({os.path.splitext(rel)[1].lstrip(".").lower() for rel, _ in files} | {"nuspec"})
    exts = [x for x in exts if x and x not in ("rels", "psmdcp")]
    content_types = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
        '<Default Extension="psmdcp" ContentType="application/vnd.openxmlformats-package.core-properties+xml" />'
        + "".join('<Default Extension="%s" ContentType="application/octet" />' % x for x in exts)
        + "</Types>").encode("utf-8")
    rels = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" '
        'Target="/%s.nuspec" Id="R%s" />'
        '<Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
        'Target="/%s" Id="R%s" />'
        "</Relationships>" % (name, seed[32:48].upper(), psmdcp, seed[48:64].upper())).encode("utf-8")
    e = escape
    core = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">'
        "<dc:creator>%s</dc:creator><dc:description>%s</dc:description>"
        "<dc:identifier>%s</dc:identifier><version>%s</version>"
        "<keywords>%s</keywords><lastModifiedBy>BitsWatch packaging/pkgtool.py</lastModifiedBy>"
        "</coreProperties>" % (e(m["Author"]), e(m["Description"]), e(name), e(version),
                               e(" ".join(m["Tags"])))).encode("utf-8")
    entries = [("_rels/.rels", rels), ("%s.nuspec" % name, nuspec(m, license_expression)),
               ("[Content_Types].xml", content_types), (psmdcp, core)]
    entries += [(rel, read(full)) for rel, full in files]
    write_zip(out, entries)


# ---- VERSIONINFO of a PE file

def pe_sections(data):
    if data[:2] != b"MZ":
        raise ValueError("not a PE file")
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        raise ValueError("no PE signature")
    nsect, = struct.unpack_from("<H", data, pe + 6)
    optsize, = struct.unpack_from("<H", data, pe + 20)
    magic, = struct.unpack_from("<H", data, pe + 24)
    sect = pe + 24 + optsize
    out = []
    for i in range(nsect):
        name, vsize, va, rawsize, rawptr = struct.unpack_from("<8sIIII", data, sect + 40 * i)
        out.append((name.rstrip(b"\0").decode(), va, vsize, rawptr, rawsize))
    return magic, out


def versioninfo(path):
    data = read(path)
    magic, sections = pe_sections(data)
    rsrc = [s for s in sections if s[0] == ".rsrc"]
    if not rsrc:
        raise ValueError("%s: no .rsrc section" % path)
    _, va, vsize, rawptr, rawsize = rsrc[0]
    res = data[rawptr:rawptr + rawsize]
    # VS_FIXEDFILEINFO starts with its signature 0xFEEF04BD.
    i = res.find(struct.pack("<I", 0xFEEF04BD))
    if i < 0:
        raise ValueError("%s: no VS_FIXEDFILEINFO" % path)
    sig, ver, fms, fls, pms, pls = struct.unpack_from("<6I", res, i)
    four = lambda ms, ls: "%d.%d.%d.%d" % (ms >> 16, ms & 0xFFFF, ls >> 16, ls & 0xFFFF)
    strings = {}
    for key in ("FileVersion", "ProductVersion", "OriginalFilename", "ProductName",
                "FileDescription", "InternalName", "LegalCopyright"):
        k = (key + "\0").encode("utf-16-le")
        j = res.find(k, i)
        if j < 0:
            continue
        j += len(k)
        j = (j + 3) & ~3  # values are 32-bit aligned (relative to the block)
        end = j
        while end + 1 < len(res) and res[end:end + 2] != b"\0\0":
            end += 2
        strings[key] = res[j:end].decode("utf-16-le")
    return {
        "machine": "x64" if magic == 0x20B else "x86",
        "FixedFileVersion": four(fms, fls),
        "FixedProductVersion": four(pms, pls),
        "strings": strings,
    }


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "zip" and len(args) >= 2:
        cmd_zip(args)
    elif cmd == "nupkg" and len(args) in (2, 4):
        cmd_nupkg(args)
    elif cmd == "manifest" and len(args) == 1:
        print(json.dumps(parse_psd1(args[0]), indent=1, sort_keys=True))
    elif cmd == "versioninfo" and len(args) == 1:
        print(json.dumps(versioninfo(args[0]), indent=1, sort_keys=True))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
