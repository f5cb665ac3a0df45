#!/usr/bin/env python3
"""Seed corpora for the fuzz targets: seeds.py CORPUS_DIR (writes CORPUS_DIR/{der,anchors}/)."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'test'))
from gen_vectors import anchor_table, der_sig  # noqa: E402

N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
G = bytes.fromhex('046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'
                  '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5')


def main():
    out = sys.argv[1]
    spec = json.load(open(os.path.join(HERE, '..', '..', 'packages', 'protocol', 'protocol.json')))
    os.makedirs(os.path.join(out, 'der'), exist_ok=True)
    os.makedirs(os.path.join(out, 'anchors'), exist_ok=True)
    for i, (r, s) in enumerate([(1, 1), (N - 1, N - 1), (2**255, 2**247 + 5), (N, 1), (0, 7)]):
        open(os.path.join(out, 'der', f'seed{i}'), 'wb').write(der_sig(r, s))
    rsa = (b'\xc5' + bytes(range(254)) + b'\x01') + (65537).to_bytes(4, 'big')
    table = anchor_table(spec, [(b'/certs/ec.crt', 'EC_P256', G),
                                (b'/certs/codesign.crt', 'RSA_2048', rsa)])
    for ctl in (0, 1):
        open(os.path.join(out, 'anchors', f'seed{ctl}'), 'wb').write(bytes([ctl]) + table)


if __name__ == '__main__':
    main()
