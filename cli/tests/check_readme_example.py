#!/usr/bin/env python3
"""check_readme_example.py - README.md's CMake snippet and C example, as written.

Run as: check_readme_example.py <cmake> <source dir> <build dir> <toolchain> <wine> <bwjob.exe> <work dir>
(ctest: test_cli_readme_example, with BW_TEST_HTTP set).

Installs this build into a prefix, takes the README's "find_package(BitsWatch"
CMake block and its C example (the block with "BwJobOpen(argv[1]") word for
word, builds them with the project's toolchain as a user would, and runs the
program under Wine: on a job that ends in Error (HTTP 404) it must exit
non-zero, as on a job that is not there.
"""
import os
import re
import shutil
import subprocess
import sys


def block(readme, lang, marker):
    for m in re.finditer(r"```%s\n(.*?)```" % re.escape(lang), readme, re.S):
        if marker in m.group(1):
            return m.group(1)
    return None


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300, **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def main():
    if len(sys.argv) != 8:
        print(__doc__, file=sys.stderr)
        return 2
    cmake, src, build, toolchain, wine, bwjob, work = sys.argv[1:]
    http = os.environ.get("BW_TEST_HTTP")
    if not http:
        print("check_readme_example.py: set BW_TEST_HTTP", file=sys.stderr)
        return 1
    # The CMake snippet is in README.md (Install), the C example in
    # docs/api.md (the C API): both as a reader finds them.
    readme = "\n".join(open(os.path.join(src, f), encoding="utf-8").read()
                        for f in ("README.md", os.path.join("docs", "api.md")))
    cm = block(readme, "cmake", "find_package(BitsWatch")
    c = block(readme, "c", "BwJobOpen(argv[1]")
    if not cm or not c:
        print("FAIL: README.md has no CMake snippet or docs/api.md no C example", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    app = os.path.join(work, "app")
    prefix = os.path.join(work, "prefix")
    os.makedirs(app)
    open(os.path.join(app, "CMakeLists.txt"), "w").write(cm)
    open(os.path.join(app, "main.c"), "w").write(c)
    rc, out = run([cmake, "--install", build, "--prefix", prefix])
    if rc:
        print("FAIL: cmake --install: %s" % out, file=sys.stderr)
        return 1
    rc, out = run([cmake, "-S", app, "-B", os.path.join(app, "build"), "-G", "Ninja",
                   "-DCMAKE_TOOLCHAIN_FILE=" + toolchain, "-DCMAKE_PREFIX_PATH=" + prefix])
    if rc == 0:
        rc, out = run([cmake, "--build", os.path.join(app, "build")])
    if rc:
        print("FAIL: the README's snippet does not build as written:\n%s" % out, file=sys.stderr)
        return 1
    exe = os.path.join(app, "build", "myapp.exe")

    failures = 0
    rc, out = run([wine, exe, "{00000000-0000-0000-0000-0000000000B1}"])
    if rc == 0:
        print("FAIL: the C example exits 0 for a job that is not there: %s" % out, file=sys.stderr)
        failures += 1
    p = subprocess.run([wine, bwjob, "create", http + "/status/404",
                        "C:\\users\\Public\\bw_readme_404.bin", "--name", "readme 404"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
    guid = p.stdout.decode().strip()[:38]
    if p.returncode or not guid.startswith("{"):
        print("FAIL: bwjob create: %s" % p.stderr.decode(), file=sys.stderr)
        return 1
    try:
        rc, out = run([wine, exe, guid])
        if rc == 0 or "Error" not in out:
            print("FAIL: the C example on a job that ends in Error: exit %d, output:\n%s" % (rc, out),
                  file=sys.stderr)
            failures += 1
    finally:
        subprocess.run([wine, bwjob, "cancel", guid], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=90)
    if failures:
        return 1
    print("check_readme_example.py: the README's snippet builds and its example exits 1 on Error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
