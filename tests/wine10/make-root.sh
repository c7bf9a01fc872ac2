#!/usr/bin/env bash
# tests/wine10/make-root.sh ROOTDIR
#
# A Debian 13 (trixie) root with Wine 10 (64-bit and, through the i386
# architecture, 32-bit: wine32) for the tests that Debian 12's Wine 8 cannot
# run: the x86 DLL (no wine32:i386 installs on the Debian 12 host) and, where
# Wine 8 falls short, .NET 10 programs. Runs as root (debootstrap, chroot).
#
# Cached: ROOTDIR/.bw-root-ready holds the key (suite + packages); a root with
# the same key is reused, any other is rebuilt. The mirror is the one the
# machine's own apt sources use for Debian (no host name is written here).
set -euo pipefail

ROOTDIR=${1:?usage: make-root.sh ROOTDIR}
SUITE=trixie
# wine32:i386 runs 32-bit programs; wine64 the 64-bit ones. No recommends:
# no fonts, no X, no Gecko/Mono (the prefix is made with them disabled).
PACKAGES="wine wine64 wine32:i386 libwine libwine:i386"
KEY="suite=$SUITE packages=$PACKAGES v=1"

if [ -f "$ROOTDIR/.bw-root-ready" ] && [ "$(cat "$ROOTDIR/.bw-root-ready")" = "$KEY" ]; then
  echo "reusing $ROOTDIR"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "make-root.sh: needs root (debootstrap, chroot)"; exit 1; }

# The Debian mirror of this machine: the first URI of a `deb` entry that serves
# the suite of the host (bookworm), in deb822 .sources files or a classic list.
mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$(. /etc/os-release; echo "$VERSION_CODENAME")" '
      BEGIN { RS = ""; FS = "\n" }
      {
        deb = 0; uri = ""; ok = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/ && $i ~ /(^|[ \t])deb([ \t]|$)/) deb = 1
          if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
          if ($i ~ /^Suites:/ && $i ~ ("[ \t]" suite "([ \t]|$)")) ok = 1
        }
        if (deb && ok && uri != "") { print uri; exit }
      }' "$f"
  done | head -n 1
  [ -f /etc/apt/sources.list ] &&
    awk '$1 == "deb" && $2 !~ /^\[/ && $2 ~ /debian\/?$/ { print $2; exit }
         $1 == "deb" && $2 ~ /^\[/ && $3 ~ /debian\/?$/ { print $3; exit }' /etc/apt/sources.list
  return 0
}
MIRROR=$(mirror | head -n 1)
[ -n "$MIRROR" ] || { echo "make-root.sh: no Debian mirror found in the apt sources"; exit 1; }
echo "mirror: (from the machine's apt sources)"

if ! command -v debootstrap >/dev/null; then
  # A fresh machine may have no package lists yet.
  apt-get install -y --no-install-recommends debootstrap ||
    { apt-get update && apt-get install -y --no-install-recommends debootstrap; }
fi

# A root left half-made by an interrupted run: never rm -rf through a mount.
if mountpoint -q "$ROOTDIR/proc" 2>/dev/null; then umount "$ROOTDIR/proc"; fi
rm -rf --one-file-system "$ROOTDIR"
mkdir -p "$ROOTDIR"
# minbase: apt and dpkg, nothing else; Wine brings what it needs.
debootstrap --variant=minbase "$SUITE" "$ROOTDIR" "$MIRROR"

# apt inside: the same mirror, trixie, main; i386 for wine32.
cat > "$ROOTDIR/etc/apt/sources.list" <<SRC
deb $MIRROR $SUITE main
SRC
rm -f "$ROOTDIR"/etc/apt/sources.list.d/*.sources
chroot "$ROOTDIR" dpkg --add-architecture i386
# /proc for maintainer scripts; unmounted whatever happens.
mount -t proc proc "$ROOTDIR/proc"
trap 'umount "$ROOTDIR/proc" 2>/dev/null || true' EXIT
chroot "$ROOTDIR" env DEBIAN_FRONTEND=noninteractive apt-get update
# shellcheck disable=SC2086
chroot "$ROOTDIR" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends $PACKAGES
chroot "$ROOTDIR" apt-get clean
# Wine finds itself through /proc/self/exe: check it while /proc is there.
chroot "$ROOTDIR" wine --version
umount "$ROOTDIR/proc"
trap - EXIT
echo "$KEY" > "$ROOTDIR/.bw-root-ready"
