#!/usr/bin/env bash
# tests/remoting/machines.sh - "machines" for PowerShell remoting tests: one
# sshd per machine on 127.0.0.1, each on its own port, with the PowerShell
# subsystem and an environment of its own.
#
#   bash tests/remoting/machines.sh start DIR PWSH SIM_LIBRARY NAME:KIND...
#   bash tests/remoting/machines.sh stop DIR
#   bash tests/remoting/machines.sh kill DIR NAME   (the machine "crashes": its
#        sshd and every process under it, so open sessions to it break)
#
# KIND: healthy   the module (this tree's, laid out like the package) in the
#                 machine's PSModulePath, the simulator as its native library
#                 and its own scenario file (DIR/NAME/scenario.txt, empty)
#       nomodule  PowerShell without BitsWatch
#       other     BitsWatch with another version (the manifest says 0.1.0)
#       closed    a port nothing listens on (a machine that refuses connections)
# Each machine's sshd runs `Subsystem powershell DIR/NAME/subsystem.sh`, a
# wrapper that sets the machine's environment (PATH for the pwsh dotnet tool,
# BITSWATCH_NATIVE_LIBRARY, BITSWATCH_SIM_SCENARIO, PSModulePath, XDG_* so
# that the user's module folder is the machine's own) and runs pwsh -sshs.
# Keys (one host key, one user key, authorized for the user running this)
# are generated once under DIR/keys. DIR/machines.csv lists
# name,kind,port,scenario,modules for the tests. Root may log in with a key
# only (PermitRootLogin prohibit-password); as another user, sshd (without
# privilege separation) lets that same user in.
# Knob: BW_SSHD (default /usr/sbin/sshd).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SSHD=${BW_SSHD:-/usr/sbin/sshd}

stop_machines() {
  local dir=$1 pidfile pid i
  for pidfile in "$dir"/*/sshd.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
    rm -f "$pidfile"
  done
}

# descendants PID: every process under PID (from /proc), deepest last.
descendants() {
  local p c
  for p in /proc/[0-9]*; do
    [ -r "$p/stat" ] || continue
    c=${p#/proc/}
    if [ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$1" ]; then
      echo "$c"
      descendants "$c"
    fi
  done
}

kill_machine() {
  local pidfile=$1/$2/sshd.pid pid
  [ -f "$pidfile" ] || { echo "no sshd for $2" >&2; return 1; }
  pid=$(cat "$pidfile")
  # The tree first (a dead listener's children would keep serving).
  kill -9 $(descendants "$pid") "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

# free_ports N: N TCP ports on 127.0.0.1 that nothing listens on now.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

start_machines() {
  local dir=$1 pwsh=$2 sim=$3
  shift 3
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  stop_machines "$dir"
  local keys=$dir/keys user
  user=$(id -un)
  mkdir -p "$keys"
  [ -f "$keys/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C bw-host -f "$keys/host_ed25519"
  [ -f "$keys/user_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C bw-user -f "$keys/user_ed25519"
  cp "$keys/user_ed25519.pub" "$keys/authorized_keys"
  chmod 600 "$keys/host_ed25519" "$keys/user_ed25519"
  # sshd wants its privilege separation directory even when it does not use it.
  if [ "$(id -u)" = 0 ]; then
    mkdir -p /run/sshd && chmod 755 /run/sshd
  fi
  local ports
  read -r -a ports <<<"$(free_ports $#)"
  local csv=$dir/machines.csv spec name kind port m i=0 pidfile started
  echo "name,kind,port,scenario,modules" >"$csv"
  # The module as the package lays it out, once for every healthy machine.
  local module=$dir/module-current
  rm -rf "$module" "$dir/module-other"
  mkdir -p "$module/BitsWatch"
  # BW_TEST_MODULE_SOURCE: another copy of ps/ (a deliberately broken one).
  python3 "$ROOT/packaging/module_files.py" "${BW_TEST_MODULE_SOURCE:-$ROOT/ps}" "$module/BitsWatch" >/dev/null
  # The compiled assembly beside it, as in the package (without it the module
  # compiles src/*.cs at import: it works, slower).
  if [ -n "${BW_TEST_ASSEMBLY:-}" ] && [ -f "$BW_TEST_ASSEMBLY" ]; then
    cp "$BW_TEST_ASSEMBLY" "$module/BitsWatch/"
  fi
  for spec in "$@"; do
    name=${spec%%:*}
    kind=${spec#*:}
    port=${ports[$i]}
    i=$((i + 1))
    m=$dir/$name
    rm -rf "$m"
    mkdir -p "$m/modules" "$m/data" "$m/config" "$m/cache"
    : >"$m/scenario.txt"
    case $kind in
      healthy) cp -r "$module/BitsWatch" "$m/modules/BitsWatch" ;;
      other)
        cp -r "$module/BitsWatch" "$m/modules/BitsWatch"
        sed -i "s/^\( *ModuleVersion *= *\)'[^']*'/\1'0.1.0'/" "$m/modules/BitsWatch/BitsWatch.psd1" ;;
      nomodule|closed) ;;
      *) echo "unknown machine kind: $kind" >&2; return 2 ;;
    esac
    echo "$name,$kind,$port,$m/scenario.txt,$m/modules" >>"$csv"
    [ "$kind" != closed ] || continue
    cat >"$m/subsystem.sh" <<SH
#!/bin/sh
# The PowerShell subsystem of machine $name (written by machines.sh).
export PATH='$(dirname "$(readlink -f "$(command -v dotnet)")"):/usr/local/bin:/usr/bin:/bin'
export DOTNET_CLI_TELEMETRY_OPTOUT=1 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off
export BITSWATCH_NATIVE_LIBRARY='$sim'
export BITSWATCH_SIM_SCENARIO='$m/scenario.txt'
export PSModulePath='$m/modules'
export XDG_DATA_HOME='$m/data' XDG_CONFIG_HOME='$m/config' XDG_CACHE_HOME='$m/cache'
exec '$pwsh' -sshs -NoLogo -NoProfile
SH
    chmod 755 "$m/subsystem.sh"
    cat >"$m/sshd_config" <<CFG
# sshd of machine $name (written by machines.sh): loopback only, keys only.
ListenAddress 127.0.0.1
Port $port
HostKey $keys/host_ed25519
PidFile $m/sshd.pid
AuthorizedKeysFile $keys/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $user
UsePAM no
StrictModes no
PrintMotd no
MaxStartups 64:30:128
MaxSessions 64
LogLevel ERROR
Subsystem powershell $m/subsystem.sh
CFG
    pidfile=$m/sshd.pid
    "$SSHD" -f "$m/sshd_config" -E "$m/sshd.log" || { echo "sshd of $name did not start:"; cat "$m/sshd.log"; return 1; }
    started=0
    for _ in $(seq 50); do
      if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then started=1; break; fi
      sleep 0.1
    done
    [ $started = 1 ] || { echo "sshd of $name wrote no pid file:"; cat "$m/sshd.log"; return 1; }
  done
  echo "machines up: $(tail -n +2 "$csv" | cut -d, -f1,2,3 | tr '\n' ' ')"
}

case ${1:-} in
  start) shift; [ $# -ge 4 ] || { echo "usage: $0 start DIR PWSH SIM_LIBRARY NAME:KIND..." >&2; exit 2; }; start_machines "$@" ;;
  kill) [ $# -eq 3 ] || { echo "usage: $0 kill DIR NAME" >&2; exit 2; }; kill_machine "$2" "$3" ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop_machines "$2" ;;
  *) echo "usage: $0 start|stop DIR ..." >&2; exit 2 ;;
esac
