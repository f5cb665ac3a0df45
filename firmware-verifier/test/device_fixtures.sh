#!/bin/sh
# Keys, images and signatures for the device host tests, made with the OpenSSL CLI so that the
# verifier is checked against an independent signer. Usage: device_fixtures.sh <out-dir>
set -eu
out=$1
umask 077 # private keys: owner only
mkdir -p "$out"
cd "$out"
[ -f done ] && exit 0
for k in ec1 ec2; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.pem 2>/dev/null
  # uncompressed point 04||X||Y: the last 65 bytes of the SubjectPublicKeyInfo
  openssl pkey -in $k.pem -pubout -outform DER | tail -c 65 > $k.pub
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
openssl rsa -in rsa.pem -noout -modulus 2>/dev/null | sed 's/^Modulus=//' > rsa.mod.hex
# Two application images of odd sizes (not a multiple of any chunk or sector).
head -c 5003 /dev/urandom > image1.bin
head -c 7777 /dev/urandom > image2.bin
for i in image1 image2; do
  openssl dgst -sha256 -sign ec1.pem -out $i.ec1.sig $i.bin
  openssl dgst -sha256 -sign ec2.pem -out $i.ec2.sig $i.bin
  openssl dgst -sha1 -sign rsa.pem -out $i.rsa.sig $i.bin
done
touch done
