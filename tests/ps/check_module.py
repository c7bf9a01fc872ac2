#!/usr/bin/env python3
"""Static checks of the PowerShell module in ps/ (no PowerShell needed).

    check_module.py [--dll-x64 PATH] [--dll-x86 PATH]

Checks, each printed as "ok"/"FAIL", then "N passed, N failed":
  - the layout: one function per file, named after it, in ps/Public/ (the
    exported commands, one file each) and ps/Private/ (the "Bw" helpers),
    nothing else in those files (dot-sourcing one only defines its function),
    every module file ASCII (Windows PowerShell 5.1 reads a file without a BOM
    as ANSI), and BitsWatch.psm1's region that packaging/module_files.py
    replaces with the joined files;
  - the rest is checked on BitsWatch.psm1 as the package ships it (the files
    joined in, by packaging/module_files.py);
  - the manifest: ModuleVersion == project(VERSION) of CMakeLists.txt,
    editions, PowerShellVersion, explicit (empty) export lists, the files it
    names exist, PSData tags;
  - every FunctionsToExport entry is defined in the psm1, every public function
    (noun not starting with "Bw") is exported, Export-ModuleMember agrees;
  - every function's verb is approved (Get-Verb of Windows PowerShell 5.1);
  - every exported function has comment-based help with .SYNOPSIS,
    .DESCRIPTION, .EXAMPLE, .OUTPUTS and a .PARAMETER per parameter, and
    [CmdletBinding()] and [OutputType()];
  - the module never sleeps (it waits in BwJobPoll), ends its progress bars,
    and returns BitsWatch.JobStatus objects, which the format file shows;
  - BitsWatch.format.ps1xml is well-formed;
  - the [DllImport] entry points of ps/src/Interop.cs are exactly the
    exports of def/bitswatch.def, each with StdCall, CharSet.Unicode,
    ExactSpelling and PreserveSig; no C# 6+ syntax in ps/src/*.cs;
  - the compiled assembly: ps/src/BitsWatch.Native.csproj compiles exactly
    the .cs files of ps/src, the files Initialize-BwNative compiles without
    it, in its order; net462, deterministic, C# 5, pinned package versions;
    no test-only surface in what users load (NativeMethods and the counters
    of Job and Queue internal);
  - with --dll-x64/--dll-x86: the DLL's export table (objdump -p) is exactly
    the .def's names too.
"""
import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PS = os.path.join(ROOT, "ps")
sys.path.insert(0, os.path.join(ROOT, "packaging"))
import module_files  # noqa: E402  (the joiner package.sh uses)

# Get-Verb, Windows PowerShell 5.1 (the module's oldest host). PowerShell 6+
# added Build and Deploy; they are left out so 5.1 never warns on import.
APPROVED_VERBS = set("""
Add Clear Close Copy Enter Exit Find Format Get Hide Join Lock Move New Open
Optimize Pop Push Redo Remove Rename Reset Resize Search Select Set Show Skip
Split Step Switch Undo Unlock Watch
Connect Disconnect Read Receive Send Write
Backup Checkpoint Compare Compress Convert ConvertFrom ConvertTo Dismount Edit
Expand Export Group Import Initialize Limit Merge Mount Out Publish Restore Save
Sync Unpublish Update
Debug Measure Ping Repair Resolve Test Trace
Approve Assert Complete Confirm Deny Disable Enable Install Invoke Register
Request Restart Resume Start Stop Submit Suspend Uninstall Unregister Wait
Use
Block Grant Protect Revoke Unblock Unprotect
""".split())

passed = 0
failed = 0


def check(ok, what, detail=None):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what + (": " + detail if detail else ""))
    return ok


def read(path):
    with open(path, encoding="utf-8-sig") as f:
        return f.read()


def psd1_value(text, key):
    """The text after `key =` up to the end of that line (scalars)."""
    m = re.search(r"^\s*" + key + r"\s*=\s*(.+?)\s*$", text, re.M)
    return m.group(1) if m else None


def psd1_list(text, key):
    """The quoted strings of `key = @( ... )`, or None when absent."""
    m = re.search(r"^\s*" + key + r"\s*=\s*@\(([^)]*)\)", text, re.M | re.S)
    if not m:
        return None
    return re.findall(r"'([^']*)'", m.group(1))


def def_exports():
    names = []
    in_exports = False
    for line in read(os.path.join(ROOT, "def", "bitswatch.def")).splitlines():
        line = line.split(";")[0].strip()
        if not line:
            continue
        if line.upper() == "EXPORTS":
            in_exports = True
            continue
        if in_exports:
            names.append(line.split()[0].split("=")[0].split("@")[0])
    return names


def project_version():
    m = re.search(r"project\s*\(\s*\w+[^)]*\bVERSION\s+([0-9.]+)",
                  read(os.path.join(ROOT, "CMakeLists.txt")))
    return m.group(1) if m else None


def functions(psm1):
    """[(name, body)]: each top-level `function Name {` to the next one."""
    starts = [(m.start(), m.group(1))
              for m in re.finditer(r"^function\s+([\w-]+)\s*\{", psm1, re.M)]
    out = []
    for i, (pos, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(psm1)
        out.append((name, psm1[pos:end]))
    return out


def param_names(body):
    """Parameter names declared in the function's param( ... ) block."""
    m = re.search(r"^(\s*)param\(\s*$(.*?)^\1\)", body, re.M | re.S)
    if not m:
        return []
    return re.findall(r"^\s*(?:\[(?:[^\[\]\n]|\[\])*\]\s*)*\$(\w+)\s*(?:=[^\n]*)?,?\s*$", m.group(2), re.M)


def check_layout(psd1):
    exported = psd1_list(psd1, "FunctionsToExport") or []
    psm1 = read(os.path.join(PS, "BitsWatch.psm1"))
    check(re.search(r"^" + re.escape(module_files.BEGIN) + r"\s*$", psm1, re.M) is not None and
          re.search(r"^" + re.escape(module_files.END) + r"\s*$", psm1, re.M) is not None,
          "BitsWatch.psm1 has the region packaging/module_files.py joins the function files into")
    names = {}
    for folder in module_files.FOLDERS:
        d = os.path.join(PS, folder)
        files = sorted(f for f in os.listdir(d) if f.endswith(".ps1")) if os.path.isdir(d) else []
        check(len(files) > 0, "ps/%s/ has function files" % folder)
        names[folder] = [os.path.splitext(f)[0] for f in files]
        for f in files:
            name = os.path.splitext(f)[0]
            text = read(os.path.join(d, f))
            defined = re.findall(r"^\s*function\s+([\w-]+)", text, re.M | re.I)
            check(defined == [name], "%s/%s defines exactly one function, %s" % (folder, f, name),
                  "defines %s" % defined)
            # Outside the function only comments and blank lines: dot-sourcing
            # (or joining) the file has no effect but defining it.
            m = re.search(r"^function\s+[\w-]+\s*\{\s*$(.*)^\}\s*\Z", text, re.M | re.S)
            before = text[:m.start()] if m else text
            outside = [l for l in before.splitlines() if l.strip() and not l.lstrip().startswith("#")]
            check(m is not None and not outside,
                  "%s/%s holds only its function (and comments)" % (folder, f), str(outside[:2]))
            noun = name.partition("-")[2]
            if folder == "Public":
                check(name in exported, "Public/%s is an exported command" % f)
            else:
                check(noun.startswith("Bw"), "Private/%s is a Bw helper (noun starts with Bw)" % f)
    check(sorted(names.get("Public", [])) == sorted(exported),
          "ps/Public/ has one file per exported command", "%s vs %s" % (names.get("Public"), exported))
    module = [os.path.join(PS, f) for f in os.listdir(PS)
              if os.path.splitext(f)[1] in (".psd1", ".psm1", ".ps1xml")]
    module += [os.path.join(PS, "src", f) for f in os.listdir(os.path.join(PS, "src")) if f.endswith(".cs")]
    module += [os.path.join(PS, folder, n + ".ps1") for folder in names for n in names[folder]]
    bad = []
    for path in sorted(module):
        try:
            module_files.read_ascii(path)
        except module_files.LayoutError as e:
            bad.append(str(e))
    check(not bad, "every module file is ASCII (%d files)" % len(module), "; ".join(bad))


def check_manifest(psd1):
    version = project_version()
    check(version is not None, "CMakeLists.txt has project(... VERSION x.y.z)")
    mv = psd1_value(psd1, "ModuleVersion")
    check(mv == "'%s'" % version, "ModuleVersion equals the project version",
          "psd1 %s, CMakeLists.txt %s" % (mv, version))
    check(psd1_value(psd1, "RootModule") == "'BitsWatch.psm1'", "RootModule is BitsWatch.psm1")
    check(psd1_value(psd1, "PowerShellVersion") == "'5.1'", "PowerShellVersion is 5.1")
    check(psd1_list(psd1, "CompatiblePSEditions") == ["Desktop", "Core"],
          "CompatiblePSEditions is Desktop and Core")
    for key in ("CmdletsToExport", "AliasesToExport", "VariablesToExport"):
        check(psd1_list(psd1, key) == [], key + " is an explicit @()")
    fmt = psd1_list(psd1, "FormatsToProcess")
    check(fmt == ["BitsWatch.format.ps1xml"], "FormatsToProcess names the format file", str(fmt))
    guid = psd1_value(psd1, "GUID")
    check(guid is not None and re.fullmatch(r"'[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}'", guid) is not None,
          "GUID is a GUID")
    files = psd1_list(psd1, "FileList") or []
    for f in files:
        if f.split("\\")[0] in ("bin", "lib", "include") or f == "BitsWatch.Native.dll":
            continue  # built or copied there by packaging/package.sh
        if f in ("LICENSE", "README.md"):
            check(os.path.isfile(os.path.join(ROOT, f)), "FileList entry %s exists at the top of the repository" % f)
            continue
        check(os.path.isfile(os.path.join(PS, *f.split("\\"))), "FileList entry %s exists in ps/" % f)
    shipped = sorted(os.path.basename(f) for f in os.listdir(PS)
                     if os.path.splitext(f)[1] in (".psd1", ".psm1", ".ps1xml"))
    shipped += ["src\\" + f for f in sorted(os.listdir(os.path.join(PS, "src"))) if f.endswith(".cs")]
    shipped += ["BitsWatch.Native.dll"]
    check(all(f in files for f in shipped), "FileList names every module file package.sh ships from ps/",
          "missing: %s" % [f for f in shipped if f not in files])
    tags = psd1_list(psd1, "Tags")
    check(bool(tags) and "BITS" in tags, "PrivateData.PSData.Tags lists BITS")
    check("ProjectUri" not in psd1 and "LicenseUri" not in psd1, "no ProjectUri/LicenseUri (none exist yet)")


def check_functions(psd1, psm1):
    exported = psd1_list(psd1, "FunctionsToExport") or []
    public = sorted(f[:-4] for f in os.listdir(os.path.join(ROOT, "ps", "Public")) if f.endswith(".ps1"))
    check(sorted(exported) == public and
          {"Get-BitsJobStatus", "Watch-BitsJob", "Wait-BitsJob", "Get-BitsJobDiagnosis"} <= set(exported),
          "FunctionsToExport is the commands of ps/Public (Get-BitsJobStatus, Watch-BitsJob, "
          "Wait-BitsJob, Get-BitsJobDiagnosis ...)", str(exported))
    funcs = dict(functions(psm1))
    check(len(funcs) == len(functions(psm1)), "no function is defined twice")
    for name in exported:
        check(name in funcs, "exported %s is defined in BitsWatch.psm1 (joined)" % name)
    for name in funcs:
        verb, _, noun = name.partition("-")
        check(verb in APPROVED_VERBS, "%s uses an approved verb" % name, "'%s' is not in Get-Verb" % verb)
        check(bool(noun), "%s is Verb-Noun" % name)
        if not noun.startswith("Bw"):
            check(name in exported, "public function %s is exported" % name)
        else:
            check(name not in exported, "private function %s is not exported" % name)
    m = re.search(r"^Export-ModuleMember\s+-Function\s+@\(([^)]*)\)", psm1, re.M)
    check(m is not None and re.findall(r"'([^']*)'", m.group(1)) == exported,
          "Export-ModuleMember exports the manifest's FunctionsToExport")
    for name in exported:
        body = funcs.get(name, "")
        help_m = re.search(r"<#(.*?)#>", body, re.S)
        help_text = help_m.group(1) if help_m else ""
        for kw in (".SYNOPSIS", ".DESCRIPTION", ".EXAMPLE", ".OUTPUTS"):
            check(re.search(r"^\s*" + re.escape(kw) + r"\s*$", help_text, re.M) is not None,
                  "%s has %s help" % (name, kw))
        documented = set(re.findall(r"^\s*\.PARAMETER\s+(\w+)\s*$", help_text, re.M))
        params = param_names(body)
        check(len(params) > 0, "%s declares parameters" % name)
        for p in params:
            check(p in documented, "%s documents -%s with .PARAMETER" % (name, p))
        common = {"WhatIf", "Confirm"} if re.search(r"SupportsShouldProcess\s*=\s*\$true", body) else set()
        for p in documented:
            check(p in params or p in common, "%s: .PARAMETER %s is a parameter" % (name, p))
        check("[CmdletBinding(" in body, "%s is an advanced function ([CmdletBinding()])" % name)
        check("[OutputType(" in body, "%s declares [OutputType()]" % name)
        if name in ("Get-BitsJobStatus", "Watch-BitsJob", "Wait-BitsJob"):
            check(re.search(r"ValueFromPipelineByPropertyName\s*=\s*\$true", body) is not None,
                  "%s takes JobId from the pipeline by property name" % name)


def check_behaviour(psm1):
    code = re.sub(r"<#.*?#>", "", psm1, flags=re.S)
    code = "\n".join(l for l in code.splitlines() if not l.lstrip().startswith("#"))
    check(re.search(r"\bStart-Sleep\b", code, re.I) is None,
          "the module never calls Start-Sleep (it waits in BwJobPoll)")
    check(re.search(r"Write-Progress\b[^\n]*-Completed", code) is not None, "progress bars end with -Completed")
    check(re.search(r"-ParentId\b", code) is not None, "reply progress is a child bar (-ParentId)")
    check("PSTypeName" in code and "'BitsWatch.JobStatus'" in code,
          "status objects are PSCustomObject with PSTypeName BitsWatch.JobStatus")
    check(re.search(r"\bfinally\s*\{[^}]*Dispose\(\)", code, re.S) is not None, "handles are disposed in finally")
    check(re.search(r"Add-Type\b", code) is not None and "-as [type]" in code,
          "Add-Type runs once per session (guarded by -as [type])")
    check(re.search(r"Add-Type -LiteralPath \$assembly\b", code) is not None and "'BitsWatch.Native.dll'" in code,
          "the compiled assembly BitsWatch.Native.dll is loaded by full path (Add-Type -LiteralPath)")
    first = code.strip().splitlines()[0] if code.strip() else ""
    check(first.startswith("if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage')"),
          "the first statement of BitsWatch.psm1 refuses a language mode other than FullLanguage", first)
    check(re.search(r"\bNew-Object\b", code) is None, "no New-Object (::new() since 5.0)")
    check(re.search(r"State\s+-(eq|ne|ge|gt|le|lt|in|notin)\s+[0-9]", code) is None,
          "no job state compared with a bare number")
    check("LoadLibraryExW" not in code and "[BitsWatch.Native.Loader]::Load(" in code,
          "the DLL is loaded by full path through Loader.Load")
    check(re.search(r"win-x64", code) and re.search(r"win-x86", code) is not None,
          "the DLL is chosen from bin/win-x64 or bin/win-x86")
    check("[BitsWatch.Native.Job]::Version" in code, "the DLL's version (BwGetVersion, Job.Version) is compared with the module's")
    check("[BitsWatch.Native.Text]::Clean(" in code,
          "text from BITS is cleaned by the library's BwCleanText (Text.Clean), as the CLI cleans it")


def check_format():
    path = os.path.join(PS, "BitsWatch.format.ps1xml")
    try:
        tree = ET.parse(path)
    except ET.ParseError as e:
        check(False, "BitsWatch.format.ps1xml is well-formed XML", str(e))
        return
    check(True, "BitsWatch.format.ps1xml is well-formed XML")
    names = [t.text for t in tree.getroot().iter("TypeName")]
    check("BitsWatch.JobStatus" in names, "the format view selects BitsWatch.JobStatus")
    check("Deserialized.BitsWatch.JobStatus" in names, "the format view selects the deserialized objects too")
    labels = [t.text for t in tree.getroot().iter("Label")]
    for want in ("State", "Progress", "Rate", "ETA"):
        check(want in labels, "the table has a %s column" % want)


def cs_sources():
    d = os.path.join(PS, "src")
    return sorted(f for f in os.listdir(d) if f.endswith(".cs")) if os.path.isdir(d) else []


def check_assembly_project(psm1):
    proj_path = os.path.join(PS, "src", "BitsWatch.Native.csproj")
    if not check(os.path.isfile(proj_path), "ps/src/BitsWatch.Native.csproj exists"):
        return
    proj = read(proj_path)
    compiled = re.findall(r'<Compile Include="([^"]+)"', proj)
    check(sorted(compiled) == cs_sources(), "the .csproj compiles exactly the .cs files of ps/src",
          "%s vs %s" % (compiled, cs_sources()))
    m = re.search(r"\$source = @\(([^)]*)\)", psm1)
    listed = re.findall(r"'([^']+\.cs)'", m.group(1)) if m else []
    check(listed == compiled, "Initialize-BwNative compiles the .csproj's files in its order when the DLL is absent",
          "%s vs %s" % (listed, compiled))
    for want, what in (("<TargetFramework>net462</TargetFramework>", "targets net462 (one build for 5.1 and 7)"),
                       ("<Deterministic>true</Deterministic>", "is deterministic"),
                       ("<LangVersion>5</LangVersion>", "is C# 5 (the source path's compiler on 5.1)"),
                       ("<TreatWarningsAsErrors>true</TreatWarningsAsErrors>", "treats warnings as errors"),
                       ("<DebugType>none</DebugType>", "has no PDB (no build path in the bytes)")):
        check(want in proj, "BitsWatch.Native.csproj " + what)
    versions = re.findall(r'<Package(?:Reference|Download) Include="([^"]+)" Version="([^"]+)"', proj)
    check(len(versions) >= 2 and all(re.fullmatch(r"\[?\d+(\.\d+)+\]?", v) for _, v in versions),
          "BitsWatch.Native.csproj pins every package to one version", str(versions))


def check_native_cs(exports):
    files = cs_sources()
    cs = "\n".join(read(os.path.join(PS, "src", f)) for f in files)
    interop = read(os.path.join(PS, "src", "Interop.cs")) if "Interop.cs" in files else ""
    check(re.search(r"\binternal static class NativeMethods\b", interop) is not None,
          "NativeMethods is internal (users and scripts go through Job and Queue)")
    check(re.search(r"\bpublic\b[^\n;{]*\b(OpenCount|NativePollCount)\b", cs) is None,
          "no public test counters (Job.OpenCount, Queue.OpenCount, Job.NativePollCount)")
    check(re.search(r"public enum JobState\b", cs) is not None and
          re.search(r"public JobState State \{", cs) is not None, "JobStatus.State is the JobState enum")
    imports = re.findall(r"\[DllImport\(([^\]]*)\)\]\s*(?:\[[^\]]*\]\s*)*(?:public|private|internal) static extern [\w.\[\]]+ (\w+)\(", cs)
    bw = [(attrs, name) for attrs, name in imports if attrs.startswith("DllName")]
    names = [name for _, name in bw]
    check(len(names) == len(set(names)), "one [DllImport] per entry point", str(names))
    check(set(names) == set(exports), "[DllImport] entry points == def/bitswatch.def exports",
          "only in .cs: %s; only in .def: %s" % (sorted(set(names) - set(exports)), sorted(set(exports) - set(names))))
    check(re.search(r'DllName\s*=\s*"bitswatch\.dll"', cs) is not None, 'DllName is "bitswatch.dll"')
    for attrs, name in bw:
        ok = all(s in attrs for s in ("CallingConvention = CallingConvention.StdCall", "CharSet = CharSet.Unicode",
                                       "ExactSpelling = true", "PreserveSig = true"))
        check(ok, "%s: StdCall, CharSet.Unicode, ExactSpelling, PreserveSig" % name, attrs)
    others = [name for attrs, name in imports if not attrs.startswith("DllName")]
    check(others == ["LoadLibraryExW"], "the only other import is kernel32's LoadLibraryExW", str(others))
    code = re.sub(r"//[^\n]*", "", cs)
    code = re.sub(r'"(\\.|[^"\\])*"', '""', code)
    for pattern, what in ((r'\$"', "no string interpolation"), (r"\?\.", "no ?. operator"),
                          (r"\bnameof\s*\(", "no nameof"), (r"=>", "no lambdas or expression bodies (=>)"),
                          (r"\{\s*get;[^}]*\}\s*=", "no auto-property initializers")):
        check(re.search(pattern, code) is None, "ps/src/*.cs (C# 5): " + what)
    check("namespace BitsWatch.Native" in cs, "namespace BitsWatch.Native")


def dll_exports(objdump, dll):
    out = subprocess.run([objdump, "-p", dll], capture_output=True, text=True, check=True).stdout
    m = re.search(r"\[Ordinal/Name Pointer\] Table\n(.*?)(?:\n\s*\n|\Z)", out, re.S)
    if not m:
        return None
    return [line.split()[-1] for line in m.group(1).splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dll-x64")
    ap.add_argument("--dll-x86")
    args = ap.parse_args()

    psd1 = read(os.path.join(PS, "BitsWatch.psd1"))
    check_layout(psd1)
    # The module as the package ships it: the function files joined in.
    try:
        psm1 = module_files.joined_psm1(PS)
    except module_files.LayoutError as e:
        check(False, "packaging/module_files.py joins BitsWatch.psm1", str(e))
        psm1 = read(os.path.join(PS, "BitsWatch.psm1"))
    exports = def_exports()
    check(len(exports) > 0, "def/bitswatch.def lists %d exports" % len(exports))
    check_manifest(psd1)
    check_functions(psd1, psm1)
    check_behaviour(psm1)
    check_format()
    check_native_cs(exports)
    check_assembly_project(psm1)
    for dll, objdump in ((args.dll_x64, "x86_64-w64-mingw32-objdump"), (args.dll_x86, "i686-w64-mingw32-objdump")):
        if not dll:
            continue
        if not check(os.path.isfile(dll), "%s exists" % dll):
            continue
        names = dll_exports(objdump, dll)
        check(names is not None, "%s has an export table" % dll)
        if names is not None:
            check(set(names) == set(exports) and len(names) == len(exports),
                  "%s exports exactly the .def's names (the [DllImport]s)" % dll,
                  "only in DLL: %s; missing: %s" % (sorted(set(names) - set(exports)), sorted(set(exports) - set(names))))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
