#!/usr/bin/env python3
"""Turns the test vectors into line files the C test runner reads (no JSON parser in C).

  gen_vectors.py VECTORS_DIR OUT_DIR OPENSSL PROTOCOL_JSON

Writes OUT_DIR/field.txt (P-256 arithmetic, for p256_field_test.c) and
OUT_DIR/{wycheproof,cavp,openssl}.txt, one case a line:
  ecdsa <id> <pub65> <msg> <der-sig> <expect> <flags>
  rsa <id> <sha1|sha256> <mod256> <e> <msg> <sig256> <expect> <flags>
  table <id> <anchor-table> <certfile> <alg> <msg> <sig> <expect>
hex fields, "-" for empty; expect is ok, fail (any refusal) or a result name (FWV_ERR_DER);
flags is "-" or a comma list of stream (also hash in chunks) and flip (every single-bit flip
of signature, message and key must be refused).
"""
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib

P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
CAVP_DIRS = ['/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric']


def hx(b):
    return b.hex() if b else '-'


def strict_der(sig):
    """(r, s) if sig is strict DER SEQUENCE { INTEGER r, INTEGER s }, else None. Independent of
    the C parser, so the two cross-check each other on Wycheproof's malformed encodings."""
    def length(p):
        if p >= len(sig):
            return None
        first = sig[p]
        if first < 0x80:
            return first, p + 1
        if first == 0x81 and p + 1 < len(sig) and sig[p + 1] >= 0x80:
            return sig[p + 1], p + 2
        return None

    def integer(p):
        if p >= len(sig) or sig[p] != 0x02:
            return None
        ln = length(p + 1)
        if ln is None:
            return None
        n, p = ln
        body = sig[p:p + n]
        if n == 0 or len(body) != n or body[0] & 0x80:
            return None
        if n > 1 and body[0] == 0 and not body[1] & 0x80:
            return None
        if len(body.lstrip(b'\0')) > 32:
            return None
        return int.from_bytes(body, 'big'), p + n

    if len(sig) < 2 or sig[0] != 0x30:
        return None
    ln = length(1)
    if ln is None or ln[0] + ln[1] != len(sig):
        return None
    a = integer(ln[1])
    if a is None:
        return None
    b = integer(a[1])
    if b is None or b[1] != len(sig):
        return None
    return a[0], b[0]


def ecdsa_expect(sig, valid):
    if valid:
        return 'ok'
    rs = strict_der(sig)
    if rs is None:
        return 'FWV_ERR_DER'
    return 'FWV_ERR_SIGNATURE'


def der_int(v):
    b = v.to_bytes(max(1, (v.bit_length() + 7) // 8), 'big')
    if b[0] & 0x80:
        b = b'\0' + b
    return b'\x02' + bytes([len(b)]) + b


def der_sig(r, s):
    body = der_int(r) + der_int(s)
    return b'\x30' + bytes([len(body)]) + body


def wycheproof(vdir, out):
    n = 0
    d = json.load(open(os.path.join(vdir, 'wycheproof', 'ecdsa_secp256r1_sha256_test.json')))
    for g in d['testGroups']:
        pub = bytes.fromhex(g['publicKey']['uncompressed'])
        for t in g['tests']:
            sig = bytes.fromhex(t['sig'])
            # no 'acceptable' cases in this file; if one appears, refuse it (see README)
            exp = ecdsa_expect(sig, t['result'] == 'valid')
            out.write(f"ecdsa wp-ecdsa:{t['tcId']} {pub.hex()} {hx(bytes.fromhex(t['msg']))} "
                      f"{hx(sig)} {exp} -\n")
            n += 1
    # RSA PKCS#1 v1.5 forgeries (SHA-256 DigestInfo through the same core): only valid passes;
    # the one acceptable case (MissingNull: DigestInfo without the NULL) is refused.
    d = json.load(open(os.path.join(vdir, 'wycheproof', 'rsa_signature_2048_sha256_test.json')))
    for g in d['testGroups']:
        mod = bytes.fromhex(g['publicKey']['modulus']).lstrip(b'\0')
        e = int(g['publicKey']['publicExponent'], 16)
        for t in g['tests']:
            exp = 'ok' if t['result'] == 'valid' else 'fail'
            out.write(f"rsa wp-rsa-sha256:{t['tcId']} sha256 {mod.hex()} {e} "
                      f"{hx(bytes.fromhex(t['msg']))} {hx(bytes.fromhex(t['sig']))} {exp} -\n")
            n += 1
    # RSA sig-gen: SHA-1 groups are 'acceptable' (WeakHash) and accepted on purpose: SHA-1 is
    # the CC3220SF platform's algorithm. SHA-256 groups (e = 65537 and the SmallPublicKey e = 3
    # ones) must verify too. SHA-224/384/512 are not implemented and skipped.
    d = json.load(open(os.path.join(vdir, 'wycheproof', 'rsa_pkcs1_2048_sig_gen_test.json')))
    for g in d['testGroups']:
        h = {'SHA-1': 'sha1', 'SHA-256': 'sha256'}.get(g['sha'])
        if not h:
            continue
        mod = bytes.fromhex(g['privateKey']['modulus']).lstrip(b'\0')
        e = int(g['privateKey']['publicExponent'], 16)
        for t in g['tests']:
            exp = 'fail' if t['result'] == 'invalid' else 'ok'
            out.write(f"rsa wp-rsa-gen:{t['tcId']} {h} {mod.hex()} {e} "
                      f"{hx(bytes.fromhex(t['msg']))} {hx(bytes.fromhex(t['sig']))} {exp} -\n")
            n += 1
    return n


def rsp_records(path):
    """Yields (section, fields) for each blank-line-separated record of a CAVP .rsp file."""
    section, rec = None, {}
    for line in open(path, encoding='latin-1'):
        line = line.strip()
        if line.startswith('['):
            section = line.strip('[]')
            continue
        if not line or line.startswith('#'):
            if rec:
                yield section, rec
                rec = {}
            continue
        if '=' in line:
            k, v = line.split('=', 1)
            rec[k.strip()] = v.strip()
    if rec:
        yield section, rec


def find_cavp(rel):
    for base in CAVP_DIRS:
        p = os.path.join(base, rel)
        if os.path.exists(p):
            return p
    hits = glob.glob('/usr/lib/python3*/**/cryptography_vectors/asymmetric/' + rel, recursive=True)
    if not hits:
        sys.exit(f'gen_vectors: {rel} not found: install python3-cryptography-vectors')
    return hits[0]


def cavp(out):
    n = 0
    path = find_cavp('ECDSA/FIPS_186-3/SigVer.rsp')
    for section, r in rsp_records(path):
        if section != 'P-256,SHA-256' or 'Msg' not in r:
            continue
        pub = b'\x04' + bytes.fromhex(r['Qx'].zfill(64)) + bytes.fromhex(r['Qy'].zfill(64))
        sig = der_sig(int(r['R'], 16), int(r['S'], 16))
        exp = 'ok' if r['Result'].startswith('P') else 'fail'
        out.write(f"ecdsa cavp-ecdsa:{n} {pub.hex()} {hx(bytes.fromhex(r['Msg']))} {sig.hex()} "
                  f"{exp} -\n")
        n += 1
    for rel in ('RSA/FIPS_186-2/SigVer15_186-3.rsp', 'RSA/SigVer15EMTest.txt'):
        path = find_cavp(rel)
        mod = None
        for section, r in rsp_records(path):
            if 'n' in r:
                mod = bytes.fromhex(r['n'])
            if section != 'mod = 2048' or 'Msg' not in r:
                continue
            h = {'SHA1': 'sha1', 'SHA256': 'sha256'}.get(r.get('SHAAlg'))
            if not h:
                continue
            e = int(r['e'], 16)
            exp = 'ok' if r['Result'].startswith('P') else 'fail'
            out.write(f"rsa cavp-rsa:{os.path.basename(rel)}:{n} {h} {mod.hex()} {e} "
                      f"{hx(bytes.fromhex(r['Msg']))} {r['S']} {exp} -\n")
            n += 1
    return n


def run(openssl, *args, data=None):
    return subprocess.run([openssl, *args], input=data, check=True, capture_output=True).stdout


def openssl_vectors(openssl, odir, out):
    """Fresh random keys and messages each run, signed by OpenSSL's CLI. Sizes straddle the
    64-byte block and the 55/56-byte padding boundary; files stay in odir for the CLI tests."""
    shutil.rmtree(odir, ignore_errors=True)  # keys are fresh each run; no stale messages
    os.makedirs(odir, exist_ok=True)
    os.umask(0o077)  # private keys: mode 0600
    sizes = [0, 1, 55, 56, 63, 64, 65, 119, 127, 128, 129, 1000, 4097]
    n = 0
    for k in range(2):
        ek, rk = os.path.join(odir, f'ec{k}.key'), os.path.join(odir, f'rsa{k}.key')
        run(openssl, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256',
            '-out', ek)
        run(openssl, 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', rk)
        run(openssl, 'pkey', '-in', ek, '-pubout', '-out', os.path.join(odir, f'ec{k}.pub'))
        run(openssl, 'pkey', '-in', rk, '-pubout', '-out', os.path.join(odir, f'rsa{k}.pub'))
        ec_pub = run(openssl, 'pkey', '-in', ek, '-pubout', '-outform', 'DER')[-65:]
        modline = run(openssl, 'rsa', '-in', rk, '-noout', '-modulus').decode().strip()
        mod = bytes.fromhex(modline.split('=', 1)[1])
        for kind, key in (('ec', ek), ('rsa', rk)):
            # what `openssl x509 -pubkey` prints (the key, then the certificate): fwv-verify's input
            crt = os.path.join(odir, f'{kind}{k}.crt')
            run(openssl, 'req', '-new', '-x509', '-key', key, '-subj', '/CN=fwv-test', '-days', '1',
                '-out', crt)
            run(openssl, 'x509', '-pubkey', '-in', crt, '-out', os.path.join(odir, f'{kind}{k}.x509pub'))
        open(os.path.join(odir, f'ec{k}.pubraw'), 'wb').write(ec_pub)
        open(os.path.join(odir, f'rsa{k}.pubraw'), 'wb').write(mod + (65537).to_bytes(4, 'big'))
        for size in sizes + [int.from_bytes(os.urandom(2), 'big') % 3000]:
            msg = os.urandom(size)
            mpath = os.path.join(odir, f'msg{k}-{size}.bin')
            open(mpath, 'wb').write(msg)
            flip = 'stream,flip' if k == 0 and size == 64 else 'stream'
            sig = run(openssl, 'dgst', '-sha256', '-sign', ek, mpath)
            open(mpath + '.ecsig', 'wb').write(sig)
            out.write(f"ecdsa openssl-ec{k}:{size} {ec_pub.hex()} {hx(msg)} {sig.hex()} ok {flip}\n")
            sig = run(openssl, 'dgst', '-sha1', '-sign', rk, mpath)
            open(mpath + '.rsasig', 'wb').write(sig)
            out.write(f"rsa openssl-rsa{k}:{size} sha1 {mod.hex()} 65537 {hx(msg)} {sig.hex()} ok "
                      f"{flip}\n")
            n += 2
    return n


def anchor_table(spec, anchors):
    """Encodes a trust-anchor table from protocol.json's layout alone (not from protocol.h), so
    a drift between the data file and the C parser fails the C test."""
    t = spec['trustAnchorTable']
    kt = {k['name']: k['value'] for k in spec['keyTypes']}
    hdr = {f['name']: f for f in t['header']}
    ent = {f['name']: f for f in t['entry']}
    total = t['headerSize'] + len(anchors) * t['entrySize'] + t['crcSize']
    out = bytearray(total)
    struct.pack_into('<I', out, hdr['magic']['offset'], t['magic'])
    struct.pack_into('<H', out, hdr['version']['offset'], t['version'])
    struct.pack_into('<H', out, hdr['count']['offset'], len(anchors))
    struct.pack_into('<I', out, hdr['totalLength']['offset'], total)
    for i, (name, ktype, key) in enumerate(anchors):
        base = t['headerSize'] + i * t['entrySize']
        out[base + ent['keyType']['offset']] = kt[ktype]
        out[base + ent['nameLength']['offset']] = len(name)
        out[base + ent['name']['offset']:base + ent['name']['offset'] + len(name)] = name
        cert = bytes(range(32))
        out[base + ent['certSha256']['offset']:base + ent['certSha256']['offset'] + 32] = cert
        out[base + ent['key']['offset']:base + ent['key']['offset'] + len(key)] = key
    struct.pack_into('<I', out, total - t['crcSize'], zlib.crc32(bytes(out[:total - t['crcSize']])))
    return bytes(out)


def table_vectors(spec, odir, out):
    """The OpenSSL keys of key pair 0 in a table: each signature found by certfile name."""
    ec_pub = open(os.path.join(odir, 'ec0.pubraw'), 'rb').read()
    rsa_key = open(os.path.join(odir, 'rsa0.pubraw'), 'rb').read()
    table = anchor_table(spec, [(b'/certs/ec.crt', 'EC_P256', ec_pub),
                                (b'/certs/codesign.crt', 'RSA_2048', rsa_key)])
    open(os.path.join(odir, 'anchors.bin'), 'wb').write(table)
    msg = open(os.path.join(odir, 'msg0-1000.bin'), 'rb').read()
    ecsig = open(os.path.join(odir, 'msg0-1000.bin.ecsig'), 'rb').read()
    rsasig = open(os.path.join(odir, 'msg0-1000.bin.rsasig'), 'rb').read()
    rows = [('/certs/ec.crt', 'sig-sha256-ecdsa', ecsig, 'ok'),
            ('/certs/codesign.crt', 'sig-sha1-rsa', rsasig, 'ok'),
            ('/certs/ec.crt', 'sig-sha1-rsa', rsasig, 'FWV_ERR_ALG_MISMATCH'),
            ('/certs/codesign.crt', 'sig-sha256-ecdsa', ecsig, 'FWV_ERR_ALG_MISMATCH'),
            ('/certs/other.crt', 'sig-sha256-ecdsa', ecsig, 'FWV_ERR_UNKNOWN_ANCHOR')]
    for i, (name, alg, sig, exp) in enumerate(rows):
        out.write(f"table protocol-json-table:{i} {table.hex()} {name} {alg} {msg.hex()} {sig.hex()} "
                  f"{exp}\n")
    return len(rows)


P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1


def field_vectors(out):
    """Edge and random operands for the P-256 field and scalar arithmetic, with Python's answers:
    carries out of every word, values next to p and n and to the powers in p's special form."""
    p, n, r = P256_P, P256_N, 2**256
    edge = [0, 1, 2, 3, p - 1, p - 2, p - 3, 2**255, 2**224, 2**192, 2**96, 2**32 - 1, 2**64 - 1,
            2**224 - 1, 2**192 - 1, 2**96 - 1, 2**256 - 2**224, p - 2**96, p - 2**192, n, n - 1,
            (p - 1) // 2, (p + 1) // 2, 2**256 - 2**224 - 1]
    edge = [v % p for v in edge]
    rnd = [int.from_bytes(os.urandom(32), 'big') % p for _ in range(40)]
    # random words of all-zero or all-one bits stress carry chains and the reduction's signs
    for _ in range(40):
        v = 0
        for k in range(8):
            v |= [0, 0xffffffff, int.from_bytes(os.urandom(4), 'big'), 1][os.urandom(1)[0] % 4] << (32 * k)
        rnd.append(v % p)
    vals = edge + rnd
    h = lambda v: '%064x' % v  # noqa: E731
    count = 0
    for i, a in enumerate(vals):
        for b in (vals[(i * 7 + 3) % len(vals)], vals[(i * 13 + 5) % len(vals)], a):
            out.write(f'mul {h(a)} {h(b)} {h(a * b % p)}\n')
            out.write(f'add {h(a)} {h(b)} {h((a + b) % p)}\n')
            out.write(f'sub {h(a)} {h(b)} {h((a - b) % p)}\n')
            count += 3
        out.write(f'sqr {h(a)} {h(a * a % p)}\n')
        an, bn = a % n, vals[(i * 5 + 1) % len(vals)] % n
        out.write(f'mnmul {h(an)} {h(bn)} {h(an * bn * pow(r, -1, n) % n)}\n')
        if an:
            # mn_inv takes and gives Montgomery form: (a R)^-1 R = a^-1
            out.write(f'mninv {h(an * r % n)} {h(pow(an, -1, n) * r % n)}\n')
        out.write(f'wnaf {h(an)}\n')
        count += 4
    return count


def main():
    vdir, odir, openssl, protocol = sys.argv[1:5]
    os.makedirs(odir, exist_ok=True)
    if not os.path.isdir(os.path.join(vdir, 'wycheproof')):
        sys.exit(f'gen_vectors: no {vdir}/wycheproof (the repository carries them in vectors/; '
                 'set FWSIGN_VECTORS=... to use another copy)')
    with open(os.path.join(odir, 'wycheproof.txt'), 'w') as f:
        a = wycheproof(vdir, f)
    with open(os.path.join(odir, 'cavp.txt'), 'w') as f:
        b = cavp(f)
    with open(os.path.join(odir, 'field.txt'), 'w') as f:
        field_vectors(f)
    with open(os.path.join(odir, 'openssl.txt'), 'w') as f:
        c = openssl_vectors(openssl, os.path.join(odir, 'openssl'), f)
        c += table_vectors(json.load(open(protocol)), os.path.join(odir, 'openssl'), f)
    print(f'gen_vectors: {a} Wycheproof, {b} CAVP, {c} OpenSSL cases')


if __name__ == '__main__':
    main()
