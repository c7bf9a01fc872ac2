#!/usr/bin/env bash
# tests/deps/osslsigncode.sh: makes sure osslsigncode 2.7 or newer is installed
# (it signs PowerShell scripts from 2.7 on; Debian 12 itself has 2.5, its
# backports 2.9). Run as root by tests/run.sh after the package stage.
#
# When the installed one is older or missing, a bookworm-backports entry is
# derived from the machine's own Debian sources (the same mirror, no host
# named here) and osslsigncode is installed from it. Idempotent.
set -euo pipefail

version_ok() {
  local v
  command -v osslsigncode >/dev/null 2>&1 || return 1
  v=$(osslsigncode --version 2>&1 | sed -n 's/^osslsigncode \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | head -n 1)
  [ -n "$v" ] || return 1
  set -- $v
  [ "$1" -gt 2 ] || { [ "$1" -eq 2 ] && [ "$2" -ge 7 ]; }
}

if version_ok; then
  echo "osslsigncode: $(osslsigncode --version 2>&1 | head -n 1)"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "osslsigncode 2.7+ is needed (run as root to install it from bookworm-backports)" >&2; exit 1; }

list=/etc/apt/sources.list.d/bitswatch-backports.sources
if [ ! -f "$list" ]; then
  # The first deb822 stanza of type deb whose suites name bookworm: its URIs
  # and keyring, with the suite bookworm-backports.
  src=$(python3 - <<'PY'
import glob
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    if "bitswatch" in path:
        continue
    for stanza in open(path).read().split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                fields[k.strip()] = v.strip()
        if "deb" in fields.get("Types", "").split() and "bookworm" in fields.get("Suites", "").split():
            print("URIs: " + fields["URIs"])
            print("Components: " + fields.get("Components", "main"))
            if "Signed-By" in fields:
                print("Signed-By: " + fields["Signed-By"])
            raise SystemExit
PY
)
  printf 'Types: deb\n%s\nSuites: bookworm-backports\n' "$src" > "$list"
fi
apt-get update >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t bookworm-backports osslsigncode >/dev/null
version_ok || { echo "osslsigncode from bookworm-backports is still older than 2.7" >&2; exit 1; }
echo "osslsigncode: $(osslsigncode --version 2>&1 | head -n 1) (bookworm-backports)"
