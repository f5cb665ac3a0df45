import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTrustAnchorTable, trustAnchorTableSize } from '@fwsign/protocol';
import { parseCertificate } from '@fwsign/signing-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

beforeAll(async () => {
  expect(
    (
      await fwsign(
        tmp.dir,
        'keys',
        'create',
        '--algorithm',
        'ecdsa-p256',
        '--subject',
        'CN=ec',
        '--key-out',
        'ec.key',
        '--cert-out',
        'ec.crt',
      )
    ).code,
  ).toBe(0);
  expect(
    (
      await fwsign(
        tmp.dir,
        'keys',
        'create',
        '--algorithm',
        'rsa-2048',
        '--subject',
        'CN=rsa',
        '--key-out',
        'rsa.key',
        '--cert-out',
        'rsa.crt',
      )
    ).code,
  ).toBe(0);
});

describe('fwsign trust-anchors', () => {
  it('writes a table the protocol decoder reads back, one entry per certificate', async () => {
    const r = await fwsign(
      tmp.dir,
      'trust-anchors',
      '--cert',
      'ec.crt',
      '--name',
      '/certs/codesign.crt',
      '--cert',
      'rsa.crt',
      '--name',
      '/certs/cc3220.crt',
      '--out',
      'anchors.bin',
    );
    expect(r.code, r.stderr).toBe(0);
    const table = new Uint8Array(readFileSync(join(tmp.dir, 'anchors.bin')));
    expect(table.length).toBe(trustAnchorTableSize(2));
    const anchors = decodeTrustAnchorTable(table);
    expect(anchors.map((a) => [a.name, a.key.type])).toEqual([
      ['/certs/codesign.crt', 'ec-p256'],
      ['/certs/cc3220.crt', 'rsa-2048'],
    ]);
    const ec = parseCertificate(readFileSync(join(tmp.dir, 'ec.crt')));
    expect(Buffer.from(anchors[0]!.certSha256).equals(Buffer.from(ec.sha256))).toBe(true);
    expect(r.stdout).toContain(
      `/certs/codesign.crt: ec-p256, certificate sha256 ${Buffer.from(ec.sha256).toString('hex')}`,
    );
  });

  it('needs one --name per --cert and refuses duplicate names', async () => {
    const unpaired = await fwsign(tmp.dir, 'trust-anchors', '--cert', 'ec.crt', '--out', 'x.bin');
    expect(unpaired.code).toBe(2);
    expect(unpaired.stderr).toContain('--name expected once per --cert (1), got 0');
    const dup = await fwsign(
      tmp.dir,
      'trust-anchors',
      '--cert',
      'ec.crt',
      '--name',
      '/c',
      '--cert',
      'rsa.crt',
      '--name',
      '/c',
      '--out',
      'x.bin',
    );
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('anchor name "/c" appears twice');
  });
});
