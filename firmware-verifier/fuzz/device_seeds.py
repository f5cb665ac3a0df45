#!/usr/bin/env python3
"""Seed inputs for fuzz/device_fuzz.c: well-formed request sequences (echo, parameters, upload
in chunks, signature, verify, mark bootable, status, image state), both as console frames
(first byte even) and as length-prefixed raw SMP messages (first byte odd).
Usage: device_seeds.py <corpus-dir>"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "qemu"))
from smp_client import cbor_encode, frame  # noqa: E402


def smp(op, group, cid, payload, seq):
    body = cbor_encode(payload)
    return bytes([(1 << 3) | op, 0]) + struct.pack(">HHBB", len(body), group, seq, cid) + body


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    image = bytes(range(256)) * 3
    sig = bytes.fromhex("3044022001" + "11" * 31 + "022002" + "22" * 31)
    seqs = {
        "echo": [smp(2, 0, 0, {"d": "hello"}, 1)],
        "params": [smp(0, 0, 6, {}, 1), smp(0, 1, 0, {}, 2), smp(0, 64, 3, {}, 3)],
        "upload": [smp(2, 1, 1, {"image": 0, "off": 0, "len": len(image), "data": image[:300],
                                 "sha": b"\0" * 32}, 1),
                   smp(2, 1, 1, {"off": 300, "data": image[300:]}, 2),
                   smp(2, 64, 0, {"alg": "sig-sha256-ecdsa", "sig": sig, "certfile": "g.crt"}, 3),
                   smp(2, 64, 1, {}, 4), smp(2, 64, 2, {}, 5), smp(0, 64, 3, {}, 6)],
        "reset": [smp(2, 0, 5, {"boot_mode": 1}, 1)],
    }
    for name, msgs in seqs.items():
        with open(os.path.join(out, f"seed-raw-{name}"), "wb") as f:
            f.write(b"\x01" + b"".join(struct.pack(">H", len(m)) + m for m in msgs))
        with open(os.path.join(out, f"seed-frame-{name}"), "wb") as f:
            f.write(b"\x00" + b"".join(frame(m) for m in msgs))


if __name__ == "__main__":
    main()
