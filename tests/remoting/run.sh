#!/usr/bin/env bash
# tests/remoting/run.sh - the fleet tests on real PowerShell remoting: SSH to
# "machines" on 127.0.0.1 (machines.sh: one sshd per machine, each with the
# PowerShell subsystem and its own environment), then Fleet.Tests.ps1 with
# Pester, then the machines stopped (also on failure or interruption).
#
#   bash tests/remoting/run.sh [--probe] SIM_LIBRARY
#
# SIM_LIBRARY: libbitswatch_sim.so of a build without sanitizers.
# 1. pwsh and Pester (tests/ps/install-pwsh.sh, once, under build/tools);
# 2. sshd (Debian's openssh-server): installed with apt-get when missing and
#    this runs as root, without letting the package start a system sshd (a
#    policy-rc.d that denies it, only if the machine has none); exit 3 with
#    the reason when sshd is missing and cannot be installed, or when a probe
#    sshd cannot serve one PowerShell session (the machine cannot run this);
# 3. the machines (build/remoting/machines), the tests, the machines stopped.
# --probe: steps 1 and 2 only.
# Exit: 0 all passed, 1 a failure, 3 this machine cannot run sshd (SKIP).
# Knobs: BW_TOOLS (default build/tools), BW_REMOTING_OUT (default build/remoting).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${BW_TOOLS:-$ROOT/build/tools}
OUT=${BW_REMOTING_OUT:-$ROOT/build/remoting}
SSHD=${BW_SSHD:-/usr/sbin/sshd}

PROBE_ONLY=0
if [ "${1:-}" = --probe ]; then PROBE_ONLY=1; shift; fi
[ $# -eq 1 ] || { echo "usage: $0 [--probe] SIM_LIBRARY" >&2; exit 2; }
SIM=$1
[ -f "$SIM" ] || { echo "FAIL: no simulator library at $SIM" >&2; exit 1; }
SIM=$(cd "$(dirname "$SIM")" && pwd)/$(basename "$SIM")

bash "$ROOT/tests/ps/install-pwsh.sh" "$TOOLS" || { echo "FAIL: installing pwsh and Pester"; exit 1; }
PWSH=$TOOLS/pwsh/pwsh

# ---- sshd
if [ ! -x "$SSHD" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "SKIP: no $SSHD and not root to install openssh-server"
    exit 3
  fi
  echo "installing openssh-server (its postinst may not start a system sshd)"
  policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y --no-install-recommends openssh-server ||
    { apt-get update && apt-get install -y --no-install-recommends openssh-server; }; } \
    >"$OUT.apt.log" 2>&1
  rc=$?
  [ $made_policy = 0 ] || rm -f "$policy"
  if [ $rc -ne 0 ] || [ ! -x "$SSHD" ]; then
    echo "SKIP: openssh-server did not install (exit $rc): $(tail -n 1 "$OUT.apt.log")"
    exit 3
  fi
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
MACHINES=$OUT/machines
cleanup() { bash "$HERE/machines.sh" stop "$MACHINES" || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off NO_COLOR=1 TERM=dumb

# ---- the probe: one machine, one PowerShell session over SSH.
probe() {
  bash "$HERE/machines.sh" start "$OUT/probe" "$PWSH" "$SIM" probe:nomodule >"$OUT/probe.log" 2>&1 || return 1
  local port
  port=$(sed -n 2p "$OUT/probe/machines.csv" | cut -d, -f3)
  timeout 60 "$PWSH" -NoLogo -NoProfile -NonInteractive -Command "
    \$s = New-PSSession -HostName probe -Port $port -UserName '$(id -un)' -KeyFilePath '$OUT/probe/keys/user_ed25519' -Options @{ HostName = '127.0.0.1'; StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' } -ErrorAction Stop
    Invoke-Command -Session \$s { 'remoting works: ' + \$PSVersionTable.PSVersion }
    Remove-PSSession \$s" >>"$OUT/probe.log" 2>&1
}
if ! probe; then
  bash "$HERE/machines.sh" stop "$OUT/probe" || true
  echo "probe failed:"; tail -n 20 "$OUT/probe.log"
  # sshd that cannot listen or start here is the machine's limit; sshd that
  # started but gave no PowerShell session is ours to fix.
  if grep -qE 'did not start|wrote no pid file|Cannot bind|Permission denied \(publickey' "$OUT/probe.log" &&
     ! grep -q 'remoting works' "$OUT/probe.log"; then
    echo "SKIP: sshd cannot serve a session on 127.0.0.1 here (see above)"
    exit 3
  fi
  exit 1
fi
bash "$HERE/machines.sh" stop "$OUT/probe" || true
grep 'remoting works' "$OUT/probe.log"
[ $PROBE_ONLY = 0 ] || exit 0

# ---- the module's compiled assembly, as the package ships it (the machines'
# copies and the local one load it; tests/ps/build-assembly.sh as Pester does)
BW_TEST_ASSEMBLY=$(BW_NUGET_PACKAGES=$TOOLS/nuget-packages \
  bash "$ROOT/tests/ps/build-assembly.sh" "$ROOT/build/ps-assembly" "${BW_TEST_MODULE_SOURCE:-$ROOT/ps}") || {
  echo "FAIL: building BitsWatch.Native.dll"; exit 1; }
export BW_TEST_ASSEMBLY

# ---- the machines and the tests
bash "$HERE/machines.sh" start "$MACHINES" "$PWSH" "$SIM" \
  web1:healthy web2:healthy web3:healthy nomod:nomodule old:other dead:closed || exit 1

mkdir -p "$OUT/pester"
: >"$OUT/pester/scenario.txt"
rm -rf "$OUT/pester/module"
export BITSWATCH_NATIVE_LIBRARY=$SIM
export BITSWATCH_SIM_SCENARIO=$OUT/pester/scenario.txt
export BW_PESTER_OUT=$OUT/pester
export BW_PWSH=$PWSH
export BW_FLEET_DIR=$MACHINES
export PSModulePath=$TOOLS/Modules
"$PWSH" -NoLogo -NoProfile -NonInteractive -File "$ROOT/tests/ps/invoke-pester.ps1" \
  -ResultPath "$OUT/pester/fleet-junit.xml" "$HERE/Fleet.Tests.ps1"
rc=$?
[ $rc -eq 0 ] && echo "tests/remoting (fleet over SSH): all passed" || echo "tests/remoting (fleet over SSH): FAILED"
exit $rc
