#!/usr/bin/env bash
# The main job, end to end on a sample image in a temporary directory: make a development key and
# code-signing certificate, sign for AmazonFreeRTOS-Default, verify (and watch a tampered copy
# fail), build the OTA job document, and the device trust-anchor table; then `fwsign demo` shows
# the verifier firmware on an emulated board verify and boot a signed application. Runs in seconds.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fwsign-demo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# The bundled CLI starts in a fraction of tsx's time; build it once (about a second).
node "$ROOT/packages/cli/build.mjs"
fwsign() { node "$ROOT/packages/cli/dist/fwsign.mjs" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n$ fwsign' "$1"; printf ' %q' "${@:2}"; printf '\n'; fwsign "${@:2}"; }

echo "demo: working in $WORK"
# A sample 256 KiB "firmware image": deterministic bytes so every run signs the same payload.
node -e 'const b=Buffer.alloc(256*1024);for(let i=0;i<b.length;i++)b[i]=(i*31+7)&255;require("fs").writeFileSync("fw.bin",b)'
printf 'sample image fw.bin: %s bytes\n' "$(wc -c < fw.bin)"

step "create a development key and code-signing certificate" \
  keys create --algorithm ecdsa-p256 --subject "CN=fwsign demo signer, O=fwsign" --key-out signer.key --cert-out signer.crt
step "sign for AmazonFreeRTOS-Default (SHA256withECDSA, JSONEmbedded)" \
  sign --platform-id AmazonFreeRTOS-Default --key signer.key --cert signer.crt --in fw.bin --out fw.signed.json
printf 'signed object: %s bytes, begins %s\n' "$(wc -c < fw.signed.json)" "$(head -c 60 fw.signed.json)…"
step "verify the signed object" \
  verify --cert signer.crt --in fw.signed.json

printf '\n\033[1m== a tampered copy must fail (exit 1)\033[0m\n'
node -e 'const fs=require("fs");const t=fs.readFileSync("fw.signed.json","latin1");const i=t.indexOf("\"payload\":\"")+40;fs.writeFileSync("tampered.json",t.slice(0,i)+(t[i]==="A"?"B":"A")+t.slice(i+1),"latin1")'
set +e
fwsign verify --cert signer.crt --in tampered.json
rc=$?
set -e
if [ "$rc" -ne 1 ]; then echo "demo: FAILED: tampered object gave exit $rc, expected 1" >&2; exit 1; fi
echo "(exit $rc, as expected)"

step "build the FreeRTOS OTA job document" \
  ota-job-document --signed fw.signed.json --filepath /ota/fw.bin --certfile /certs/codesign.crt --stream AFR_OTA-demo
step "provision: the device trust-anchor table" \
  trust-anchors --cert signer.crt --name /certs/codesign.crt --out anchors.bin

# On the device: the verifier firmware in QEMU (mps2-an386) verifies and boots a signed application.
# FWSIGN_DEMO_BOARD=renode|serial (with FWSIGN_DEMO_ARGS="--port … --key … --cert … --image …") for other boards.
step "on the emulated board: sign the test application, flash it, the device verifies and boots it" \
  demo --board "${FWSIGN_DEMO_BOARD:-qemu}" ${FWSIGN_DEMO_ARGS:-}

printf '\ndemo: OK\n'
