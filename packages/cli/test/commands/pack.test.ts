import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSignedObject } from '@fwsign/signing-engine';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const image = new Uint8Array(randomBytes(3000));

// An independent reader (Python's struct, as imgtool itself is Python): header fields, the
// SHA-256 TLV against the bytes it covers, and every TLV by type.
const READER = `
import hashlib, json, struct, sys
b = open(sys.argv[1], "rb").read()
magic, load, hdr, prot, size, flags, ma, mi, rev, build, _ = struct.unpack_from("<IIHHIIBBHII", b)
at = hdr + size
info_magic, total = struct.unpack_from("<HH", b, at)
tlvs, p = {}, at + 4
while p < at + total:
    t, n = struct.unpack_from("<HH", b, p)
    tlvs[t] = b[p + 4:p + 4 + n]
    p += 4 + n
print(json.dumps({"magic": magic, "hdr": hdr, "size": size, "version": [ma, mi, rev, build],
    "info": info_magic, "end": p == len(b), "hash_ok": tlvs[0x10] == hashlib.sha256(b[:at]).digest(),
    "sig": tlvs[0xA0].hex(), "certfile": tlvs[0xA1].decode(), "alg": tlvs[0xA2].decode()}))
`;

beforeAll(async () => {
  writeFileSync(join(tmp.dir, 'fw.bin'), image);
  const keys = ['keys', 'create', '--algorithm', 'ecdsa-p256', '--subject', 'CN=p'];
  expect((await fwsign(tmp.dir, ...keys, '--key-out', 'k.pem', '--cert-out', 'c.pem')).code).toBe(
    0,
  );
  const sign = [
    'sign',
    '--platform-id',
    'AmazonFreeRTOS-Default',
    '--key',
    'k.pem',
    '--cert',
    'c.pem',
  ];
  expect((await fwsign(tmp.dir, ...sign, '--in', 'fw.bin', '--out', 'fw.signed.json')).code).toBe(
    0,
  );
});

describe('fwsign pack', () => {
  it('writes imgtool’s layout: header with version, payload, SHA-256 TLV, the signature and certfile in fwsign TLVs', async () => {
    const r = await fwsign(
      tmp.dir,
      'pack',
      '--in',
      'fw.signed.json',
      '--version',
      '1.2.3+7',
      '--certfile',
      '/certs/a.crt',
      '--out',
      'fw.img',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^packed 3000 bytes \(sig-sha256-ecdsa, \/certs\/a\.crt\) as MCUboot image version 1\.2\.3\.7, \d+ bytes, hash [0-9a-f]{64}\n$/,
    );
    const out = join(tmp.dir, 'fw.img');
    const seen = JSON.parse(execFileSync('python3', ['-c', READER, out], { encoding: 'utf8' }));
    const signed = parseSignedObject(new Uint8Array(readFileSync(join(tmp.dir, 'fw.signed.json'))));
    expect(seen).toEqual({
      magic: 0x96f3b83d,
      hdr: 32,
      size: 3000,
      version: [1, 2, 3, 7],
      info: 0x6907,
      end: true,
      hash_ok: true,
      sig: Buffer.from(signed.signature).toString('hex'),
      certfile: '/certs/a.crt',
      alg: 'sig-sha256-ecdsa',
    });
    expect(Buffer.compare(readFileSync(out).subarray(32, 3032), image)).toBe(0);
  });

  it('refuses a bad version and a raw binary with messages saying what was expected', async () => {
    const v = await fwsign(
      tmp.dir,
      'pack',
      '--in',
      'fw.signed.json',
      '--version',
      '1.2',
      '--out',
      'x.img',
    );
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('expected major.minor.revision[+build]');
    expect(v.stderr).toContain('got "1.2"');
    const raw = await fwsign(
      tmp.dir,
      'pack',
      '--in',
      'fw.bin',
      '--version',
      '1.0.0',
      '--out',
      'x.img',
    );
    expect(raw.code).not.toBe(0);
    expect(raw.stderr).toContain('signed image');
  });
});
