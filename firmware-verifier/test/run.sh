#!/bin/sh
# make test's runner, after the Makefile has written the vector files and built the programs:
# the sanitised host tests, the fwv-verify command, then the vectors on the emulated Cortex-M4.
# Environment (set by the Makefile): BUILD, QEMU.
set -eu
cd "$(dirname "$0")/.."
V="$BUILD/test/vectors"
O="$V/openssl"
TOOL="$BUILD/test/fwv-verify"

out=$("$BUILD/test/fwv-test" "$V/wycheproof.txt" "$V/cavp.txt" "$V/openssl.txt") || {
  echo "$out"; exit 1; }
echo "$out"
passed=$(echo "$out" | sed -n 's/^fwv-test: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
failed=$(echo "$out" | sed -n 's/^fwv-test: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')

out=$("$BUILD/test/fwv-field-test" "$V/field.txt") || { echo "$out"; exit 1; }
echo "$out"
passed=$((passed + $(echo "$out" | sed -n 's/^fwv-field-test: \([0-9]*\) passed.*/\1/p')))

# fwv-verify: exit status and the result code's name on stdout
tool() {  # expected-exit expected-stdout args...
  want_rc=$1 want_out=$2; shift 2
  set +e; got_out=$("$TOOL" "$@" 2>/dev/null); got_rc=$?; set -e
  if [ "$got_rc" = "$want_rc" ] && [ "$got_out" = "$want_out" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL fwv-verify $*: expected exit $want_rc and '$want_out', got exit $got_rc and '$got_out'" >&2
  fi
}
M="$O/msg0-1000.bin"
tampered="$BUILD/test/tampered.bin"
cp "$M" "$tampered"; printf 'x' >> "$tampered"
head -c 255 "$M.rsasig" > "$BUILD/test/short.sig"
printf '\060\003\002\001\001' > "$BUILD/test/bad-der.sig"
for k in 0 1; do
  for m in "$O"/msg$k-*.bin; do
    tool 0 FWV_OK --alg sig-sha256-ecdsa --pubkey "$O/ec$k.pub" --sig "$m.ecsig" --in "$m"
    tool 0 FWV_OK --alg sig-sha1-rsa --pubkey "$O/rsa$k.pub" --sig "$m.rsasig" --in "$m"
  done
done
tool 0 FWV_OK --alg sig-sha256-ecdsa --pubkey "$O/ec0.x509pub" --sig "$M.ecsig" --in "$M"
tool 0 FWV_OK --alg sig-sha1-rsa --pubkey "$O/rsa0.x509pub" --sig "$M.rsasig" --in "$M"
tool 1 FWV_ERR_SIGNATURE --alg sig-sha256-ecdsa --pubkey "$O/ec0.pub" --sig "$M.ecsig" --in "$tampered"
tool 1 FWV_ERR_SIGNATURE --alg sig-sha1-rsa --pubkey "$O/rsa0.pub" --sig "$M.rsasig" --in "$tampered"
tool 1 FWV_ERR_SIGNATURE --alg sig-sha256-ecdsa --pubkey "$O/ec1.pub" --sig "$M.ecsig" --in "$M"
tool 1 FWV_ERR_ALG_MISMATCH --alg sig-sha1-rsa --pubkey "$O/ec0.pub" --sig "$M.rsasig" --in "$M"
tool 1 FWV_ERR_ALG_MISMATCH --alg sig-sha256-ecdsa --pubkey "$O/rsa0.pub" --sig "$M.ecsig" --in "$M"
tool 1 FWV_ERR_BAD_LENGTH --alg sig-sha1-rsa --pubkey "$O/rsa0.pub" --sig "$BUILD/test/short.sig" --in "$M"
tool 1 FWV_ERR_DER --alg sig-sha256-ecdsa --pubkey "$O/ec0.pub" --sig "$BUILD/test/bad-der.sig" --in "$M"
tool 1 FWV_ERR_UNKNOWN_ALG --alg sig-sha256-rsa --pubkey "$O/rsa0.pub" --sig "$M.rsasig" --in "$M"
tool 1 FWV_ERR_BAD_KEY --alg sig-sha256-ecdsa --pubkey "$M" --sig "$M.ecsig" --in "$M"
tool 2 "" --alg sig-sha256-ecdsa --pubkey "$O/ec0.pub" --sig "$M.ecsig"
tool 2 "" --alg sig-sha256-ecdsa --pubkey "$O/ec0.pub" --sig "$M.ecsig" --in "$BUILD/test/absent"

# the Cortex-M4 build on QEMU's mps2-an386 (semihosting prints its tally on stderr; exit 0 or 1)
m4=$(timeout 300 "$QEMU" -M mps2-an386 -nographic -monitor none -serial none \
  -semihosting-config enable=on,target=native -kernel "$BUILD/test/m4/m4-test.elf" 2>&1) || {
  echo "$m4"; echo "m4 test firmware failed" >&2; failed=$((failed + 1)); }
echo "$m4" | tail -n 1
m4_passed=$(echo "$m4" | sed -n 's/^m4: \([0-9]*\) passed, .*/\1/p')
passed=$((passed + ${m4_passed:-0}))

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
