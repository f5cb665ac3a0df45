#!/bin/sh
# Keys, images and signatures for the device host tests, made with the OpenSSL CLI so that the
# verifier is checked against an independent signer. Usage: device_fixtures.sh <out-dir>
set -eu
out=$1
umask 077 # private keys: owner only
mkdir -p "$out"
cd "$out"
rm -f done # make reruns this when it changes
for k in ec1 ec2; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.pem 2>/dev/null
  # uncompressed point 04||X||Y: the last 65 bytes of the SubjectPublicKeyInfo
  openssl pkey -in $k.pem -pubout -outform DER | tail -c 65 > $k.pub
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
openssl rsa -in rsa.pem -noout -modulus 2>/dev/null | sed 's/^Modulus=//' > rsa.mod.hex
# Two application images of odd sizes (not a multiple of any chunk or sector), each starting with
# a vector table the host port accepts (initial SP 0x20008000 in its RAM, reset handler 0x1101:
# Thumb, inside the active slot at 0x1000), then random bytes; image-x has one for another board
# (SP in its RAM, reset handler at 0x08000101: outside this slot), validly signed all the same.
vt() { printf '\000\200\000\040'; printf "$1"; }
{ vt '\001\021\000\000'; head -c 4995 /dev/urandom; } > image1.bin
{ vt '\001\021\000\000'; head -c 7769 /dev/urandom; } > image2.bin
{ vt '\001\001\000\010'; head -c 4995 /dev/urandom; } > image-x.bin
for i in image1 image2 image-x; do
  openssl dgst -sha256 -sign ec1.pem -out $i.ec1.sig $i.bin
  openssl dgst -sha256 -sign ec2.pem -out $i.ec2.sig $i.bin
  openssl dgst -sha1 -sign rsa.pem -out $i.rsa.sig $i.bin
done
# MCUboot-format images as imgtool lays them out (32-byte header, payload, unprotected TLV block
# with the SHA-256 TLV over header + payload), carrying fwsign's TLVs (0xa0 signature, 0xa1
# certfile, 0xa2 algorithm): packed independently of fwsign's TypeScript packer.
python3 - <<'PY'
import hashlib, struct
def pack(src, sig, out, ver, certfile=b"ec1.crt", alg=b"sig-sha256-ecdsa"):
    payload = open(src, "rb").read()
    hdr = struct.pack("<IIHHIIBBHII", 0x96F3B83D, 0, 32, 0, len(payload), 0, *ver, 0)
    digest = hashlib.sha256(hdr + payload).digest()
    tlvs = b"".join(struct.pack("<HH", t, len(v)) + v for t, v in
                    [(0x10, digest), (0xA0, open(sig, "rb").read()), (0xA1, certfile), (0xA2, alg)])
    open(out, "wb").write(hdr + payload + struct.pack("<HH", 0x6907, 4 + len(tlvs)) + tlvs)
pack("image1.bin", "image1.ec1.sig", "image1-v1.2.3.4.mcuboot", (1, 2, 3, 4))
pack("image2.bin", "image2.ec1.sig", "image2-v0.9.0.mcuboot", (0, 9, 0, 0))
pack("image2.bin", "image2.ec1.sig", "image2-v2.0.0.mcuboot", (2, 0, 0, 0))
PY
touch done
