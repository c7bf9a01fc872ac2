#!/usr/bin/env bash
# tests/package/check_signing.sh: packaging/package.sh with a certificate.
# Makes a throwaway self-signed code-signing certificate (openssl), packages
# signed twice (PEM certificate + key; PKCS#12 with a password file, and a
# timestamp from a loopback RFC 3161 server made of `openssl ts`), then
#   - verifies every signature with `osslsigncode verify` against that
#     certificate: the module's BitsWatch.Native.dll, the DLL and exe of both architectures (module folder and the
#     x64/ and x86/ prefixes, which must be the same bytes) and the module's
#     .psd1, .psm1 and .ps1xml files, in the folder and in the zip;
#   - checks that the timestamped build's signatures carry the timestamp;
#   - checks that a tampered DLL, exe and script fail verification, and that
#     a signature made by another certificate does not verify against this one.
# Usage: check_signing.sh [<source dir> [<package build dir>]]: the sources
# to package (default: this checkout) and a build dir package.sh already
# built (reused; default: a new one). Output under BW_SIGNING_TEST_WORK
# (default build/signing-test). Exit 0 when all hold.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SRC=${1:-$ROOT}
WORK=${BW_SIGNING_TEST_WORK:-$ROOT/build/signing-test}
PKG_BUILD=${2:-$WORK/pkg}
NAME=BitsWatch
FAILS=0
fail() { echo "check_signing: FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "check_signing: ok: $*"; }

command -v osslsigncode >/dev/null || { echo "check_signing: no osslsigncode (apt-get install osslsigncode)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "check_signing: no openssl" >&2; exit 1; }
rm -rf "$WORK/keys" "$WORK/dist-pem" "$WORK/dist-p12" "$WORK/tamper" "$WORK/tsa"
mkdir -p "$WORK/keys" "$WORK/tamper" "$WORK/tsa"
K=$WORK/keys

# ---- throwaway certificates: the signer, another signer, a timestamp authority
cert() {   # cert NAME CN EKU
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=$2" \
    -keyout "$K/$1.key" -out "$K/$1.pem" \
    -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=critical,$3" \
    >"$K/$1.log" 2>&1 || { cat "$K/$1.log" >&2; return 1; }
}
cert signer "BitsWatch test signer" codeSigning &&
  cert other "Someone else" codeSigning &&
  cert tsa "BitsWatch test TSA" timeStamping || { echo "check_signing: openssl failed" >&2; exit 1; }
printf 'test password\n' > "$K/pass.txt"
openssl pkcs12 -export -inkey "$K/signer.key" -in "$K/signer.pem" -name signer \
  -passout "file:$K/pass.txt" -out "$K/signer.p12" >"$K/p12.log" 2>&1 ||
  { cat "$K/p12.log" >&2; exit 1; }
ok "a self-signed code-signing certificate (PEM and PKCS#12), another one, a TSA one"

# ---- a loopback RFC 3161 timestamp server: openssl ts answers each request.
cat > "$WORK/tsa/openssl.cnf" <<EOF
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = $WORK/tsa
serial = \$dir/serial
signer_cert = $K/tsa.pem
signer_key = $K/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha1, sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
EOF
echo 01 > "$WORK/tsa/serial"
python3 - "$WORK/tsa" >"$WORK/tsa/server.log" 2>&1 <<'EOF' &
import http.server, os, subprocess, sys, tempfile
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        req = self.rfile.read(int(self.headers["Content-Length"]))
        with tempfile.TemporaryDirectory(dir=d) as t:
            q, r = os.path.join(t, "q.tsq"), os.path.join(t, "r.tsr")
            open(q, "wb").write(req)
            rc = subprocess.run(["openssl", "ts", "-reply", "-config", os.path.join(d, "openssl.cnf"),
                                 "-queryfile", q, "-out", r]).returncode
            body = open(r, "rb").read() if rc == 0 else b""
        self.send_response(200 if rc == 0 else 500)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
s.timeout = 600
open(os.path.join(d, "port.tmp"), "w").write(str(s.server_port))
os.replace(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
for _ in range(200):   # bounded: one request per signed file
    s.handle_request()
EOF
TSA_PID=$!
trap 'kill $TSA_PID 2>/dev/null; wait $TSA_PID 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$WORK/tsa/port" ] && break; sleep 0.1; done
[ -s "$WORK/tsa/port" ] || { cat "$WORK/tsa/server.log" >&2; echo "check_signing: the TSA did not start" >&2; exit 1; }
TSA_URL=http://127.0.0.1:$(cat "$WORK/tsa/port")

# ---- package, signed two ways
echo "check_signing: package.sh --cert/--key (PEM)"
BW_DIST=$WORK/dist-pem BW_PKG_BUILD=$PKG_BUILD bash "$SRC/packaging/package.sh" \
  --cert "$K/signer.pem" --key "$K/signer.key" >"$WORK/package-pem.log" 2>&1 ||
  { tail -n 40 "$WORK/package-pem.log"; echo "check_signing: package.sh (PEM) failed" >&2; exit 1; }
echo "check_signing: package.sh with BW_SIGN_PKCS12, BW_SIGN_PASS_FILE, BW_SIGN_TIMESTAMP"
BW_DIST=$WORK/dist-p12 BW_PKG_BUILD=$PKG_BUILD BW_SIGN_PKCS12=$K/signer.p12 \
  BW_SIGN_PASS_FILE=$K/pass.txt BW_SIGN_TIMESTAMP=$TSA_URL bash "$SRC/packaging/package.sh" \
  >"$WORK/package-p12.log" 2>&1 ||
  { tail -n 40 "$WORK/package-p12.log"; echo "check_signing: package.sh (PKCS#12) failed" >&2; exit 1; }

# verify FILE [CAFILE]: osslsigncode verify against the test certificate.
verify() {
  osslsigncode verify -CAfile "${2:-$K/signer.pem}" -TSA-CAfile "$K/tsa.pem" -in "$1" >"$WORK/verify.log" 2>&1 &&
    grep -q "Signature verification: ok" "$WORK/verify.log" &&
    grep -q "Subject: /CN=BitsWatch test signer" "$WORK/verify.log"
}

SIGNED=(bin/win-x64/bitswatch.dll bin/win-x64/bitswatch.exe bin/win-x86/bitswatch.dll bin/win-x86/bitswatch.exe
        BitsWatch.Native.dll)
for kind in pem p12; do
  D=$WORK/dist-$kind
  scripts=()
  for f in "$D/$NAME"/*.psd1 "$D/$NAME"/*.psm1 "$D/$NAME"/*.ps1xml; do
    [ -f "$f" ] && scripts+=("${f#"$D/$NAME/"}")
  done
  [ ${#scripts[@]} -ge 3 ] || fail "$kind: fewer than 3 module scripts (psd1, psm1, ps1xml): ${scripts[*]}"
  n=0
  rm -rf "$WORK/zip-$kind" && mkdir -p "$WORK/zip-$kind"
  unzip -q "$D/$NAME-"*.zip -d "$WORK/zip-$kind" || fail "$kind: unzip"
  for f in "${SIGNED[@]}" "${scripts[@]}"; do
    if verify "$D/$NAME/$f"; then
      n=$((n + 1))
    else
      fail "$kind: $f does not verify:"; tail -n 15 "$WORK/verify.log" >&2
    fi
    if [ $kind = p12 ] && ! grep -q "Timestamp Server Signature verification: ok" "$WORK/verify.log"; then
      fail "$kind: $f has no verified timestamp"
    fi
    cmp -s "$D/$NAME/$f" "$WORK/zip-$kind/$NAME/$f" || fail "$kind: $f in the zip is not the signed file"
  done
  for f in "${scripts[@]}"; do
    grep -q "SIG # Begin signature block" "$D/$NAME/$f" || fail "$kind: $f has no signature block"
  done
  for arch in x64 x86; do
    for f in bitswatch.dll bitswatch.exe; do
      cmp -s "$D/$NAME/bin/win-$arch/$f" "$WORK/zip-$kind/$arch/bin/$f" ||
        fail "$kind: $arch/bin/$f in the zip is not the module's signed $f"
    done
  done
  ok "$kind: $n signatures verify ($((${#SIGNED[@]})) images, ${#scripts[@]} scripts: ${scripts[*]}), the zip carries them$([ $kind = p12 ] && echo ", each with a verified timestamp")"
done

# ---- tampering breaks every kind of signature
D=$WORK/dist-pem/$NAME
tamper_pe() {   # tamper_pe IN OUT: flips one byte in the middle of .text
  python3 - "$1" "$2" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
pe = struct.unpack_from("<I", d, 0x3C)[0]
nsect, optsize = struct.unpack_from("<H", d, pe + 6)[0], struct.unpack_from("<H", d, pe + 20)[0]
for i in range(nsect):
    name, vsize, va, rawsize, rawptr = struct.unpack_from("<8sIIII", d, pe + 24 + optsize + 40 * i)
    if name.rstrip(b"\0") == b".text":
        d[rawptr + rawsize // 2] ^= 0x01
        break
else:
    sys.exit("no .text")
open(sys.argv[2], "wb").write(d)
EOF
}
for f in bin/win-x64/bitswatch.dll bin/win-x86/bitswatch.exe BitsWatch.Native.dll; do
  t=$WORK/tamper/$(echo "$f" | tr / _)
  tamper_pe "$D/$f" "$t" || { fail "could not tamper with $f"; continue; }
  if verify "$t"; then fail "a tampered $f still verifies"; else ok "a tampered $f fails verification"; fi
done
for f in "$NAME.psm1" "$NAME.psd1"; do
  t=$WORK/tamper/$f
  [ -f "$D/$f" ] || continue
  # One character of the code changed (the signature block left as it is).
  python3 - "$D/$f" "$t" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"# SIG # Begin signature block")
j = d.rfind(b"e", 0, i)
open(sys.argv[2], "wb").write(d[:j] + b"E" + d[j + 1:])
EOF
  if verify "$t"; then fail "a tampered $f still verifies"; else ok "a tampered $f fails verification"; fi
done
# Signed by someone else: valid, but not by this certificate.
if osslsigncode remove-signature -in "$WORK/dist-pem/x64/bin/bitswatch.dll" -out "$WORK/tamper/unsigned.dll" >/dev/null 2>&1 &&
   osslsigncode sign -certs "$K/other.pem" -key "$K/other.key" -h sha256 \
     -in "$WORK/tamper/unsigned.dll" -out "$WORK/tamper/other.dll" >/dev/null 2>&1; then
  if verify "$WORK/tamper/other.dll"; then
    fail "a DLL signed by another certificate verifies as ours"
  else
    ok "a DLL re-signed by another certificate does not verify against ours"
  fi
else
  fail "could not re-sign the DLL with the other certificate"
fi

if [ $FAILS -ne 0 ]; then
  echo "check_signing: $FAILS check(s) failed"
  exit 1
fi
echo "check_signing: all checks passed"
