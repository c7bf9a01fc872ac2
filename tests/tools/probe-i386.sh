#!/usr/bin/env bash
# tests/tools/probe-i386.sh DIR: can this machine execute a 32-bit x86 Linux
# program? (Wine's 32-bit side, and with it every x86 Windows test, needs it.)
#
# Writes a 96-byte static i386 ELF into DIR (no i386 package, no compiler:
# the bytes are below), executes it and reads its exit status: the program
# is `mov ebx, 42; mov eax, 1 (exit); int 0x80`, so 42 means the kernel ran
# it. Anything else means it cannot, and the reason is printed as execve
# gave it (ENOEXEC "Exec format error" on machines without 32-bit support,
# EACCES on a noexec mount, ...). Takes about a millisecond.
#
# Prints one line, "i386: yes (...)" or "i386: no (this machine cannot run
# 32-bit x86 programs: ...)", and exits 0 (yes) or 1 (no).
# Knob: BW_ASSUME_NO_I386=1 answers "no" without executing anything (to try
# the no-i386 path on a machine that can; .ci/run never sets it).
set -uo pipefail

dir=${1:?usage: probe-i386.sh DIR}
if [ "${BW_ASSUME_NO_I386:-0}" = 1 ]; then
  echo "i386: no (this machine cannot run 32-bit x86 programs: BW_ASSUME_NO_I386=1 says so; not probed)"
  exit 1
fi
mkdir -p "$dir" || exit 1
elf=$dir/exit42-i386
# ELF32 header (52 bytes): ELFCLASS32, little-endian, ET_EXEC, EM_386,
# entry 0x08048054, program headers at 52, one of 32 bytes.
hdr='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00'
hdr+='\x02\x00\x03\x00\x01\x00\x00\x00\x54\x80\x04\x08\x34\x00\x00\x00'
hdr+='\x00\x00\x00\x00\x00\x00\x00\x00\x34\x00\x20\x00\x01\x00\x00\x00\x00\x00\x00\x00'
# PT_LOAD of the whole file (96 bytes) at 0x08048000, read + execute.
phdr='\x01\x00\x00\x00\x00\x00\x00\x00\x00\x80\x04\x08\x00\x80\x04\x08'
phdr+='\x60\x00\x00\x00\x60\x00\x00\x00\x05\x00\x00\x00\x00\x10\x00\x00'
# mov ebx, 42 / mov eax, 1 / int 0x80
code='\xbb\x2a\x00\x00\x00\xb8\x01\x00\x00\x00\xcd\x80'
printf "$hdr$phdr$code" > "$elf" && chmod 755 "$elf" || exit 1
size=$(wc -c < "$elf")
[ "$size" = 96 ] || { echo "i386: probe not written whole ($size bytes)"; exit 1; }

err=$("$elf" 2>&1 >/dev/null)
rc=$?
if [ $rc = 42 ]; then
  echo "i386: yes (a static i386 program ran and exited 42)"
  exit 0
fi
case $err in
  *"Exec format error"*) why="execve ENOEXEC" ;;
  *"Permission denied"*) why="execve EACCES (is $dir on a noexec mount?)" ;;
  "") why="the probe exited $rc instead of 42" ;;
  *) why="exit $rc: ${err##*: }" ;;
esac
echo "i386: no (this machine cannot run 32-bit x86 programs: $why)"
exit 1
