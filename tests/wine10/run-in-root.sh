#!/usr/bin/env bash
# tests/wine10/run-in-root.sh ROOTDIR CMD [ARGS...]
#
# Runs CMD inside the Debian 13 root (make-root.sh) as if it ran here: same
# working directory, same environment, the project's tree at the same path
# (bind-mounted), /proc and /dev mounted. The mounts live in a private mount
# namespace (unshare -m), so they vanish with the last process that uses them
# (the wineserver included) and never show on the host. The network namespace
# is the host's: the loopback HTTP server is reachable as 127.0.0.1.
# Wine's server socket lives in the root's /tmp, so every call of this script
# with the same WINEPREFIX talks to the same wineserver.
set -euo pipefail
ROOTDIR=$(cd "${1:?usage: run-in-root.sh ROOTDIR CMD [ARGS...]}" && pwd)
shift
[ $# -gt 0 ] || { echo "run-in-root.sh: no command"; exit 2; }
[ -f "$ROOTDIR/.bw-root-ready" ] || { echo "run-in-root.sh: $ROOTDIR is not a finished root"; exit 2; }
TREE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

exec unshare --mount --propagation private -- /bin/bash -c '
  set -e
  R=$1 TREE=$2 CWD=$3
  shift 3
  mount -t proc proc "$R/proc"
  mount --rbind /dev "$R/dev"
  mkdir -p "$R$TREE"
  mount --bind "$TREE" "$R$TREE"
  # A working directory outside the tree (e.g. /tmp) is not there: use /.
  exec chroot "$R" /bin/sh -c "cd \"\$0\" 2>/dev/null || cd /; exec \"\$@\"" "$CWD" "$@"
' bw-root "$ROOTDIR" "$TREE" "$PWD" "$@"
