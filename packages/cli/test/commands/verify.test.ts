import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const image = new Uint8Array(randomBytes(4096));

beforeAll(async () => {
  writeFileSync(join(tmp.dir, 'fw.bin'), image);
  for (const name of ['a', 'b']) {
    expect(
      (
        await fwsign(
          tmp.dir,
          'keys',
          'create',
          '--algorithm',
          'ecdsa-p256',
          '--subject',
          `CN=${name}`,
          '--key-out',
          `${name}.key`,
          '--cert-out',
          `${name}.crt`,
        )
      ).code,
    ).toBe(0);
  }
  expect(
    (
      await fwsign(
        tmp.dir,
        'sign',
        '--platform-id',
        'AmazonFreeRTOS-Default',
        '--key',
        'a.key',
        '--cert',
        'a.crt',
        '--in',
        'fw.bin',
        '--out',
        'fw.signed.json',
      )
    ).code,
  ).toBe(0);
  expect(
    (
      await fwsign(
        tmp.dir,
        'sign',
        '--platform-id',
        'AWSIoTDeviceManagement-SHA256-ECDSA',
        '--key',
        'a.key',
        '--cert',
        'a.crt',
        '--in',
        'fw.bin',
        '--out',
        'fw.detached.json',
        '--bucket',
        'b',
        '--object-version',
        '1',
      )
    ).code,
  ).toBe(0);
});

describe('fwsign verify', () => {
  it('exits 0 for a valid object and prints the algorithm, size and hash', async () => {
    const r = await fwsign(tmp.dir, 'verify', '--cert', 'a.crt', '--in', 'fw.signed.json');
    expect(r.code).toBe(0);
    const sha = (await import('node:crypto')).createHash('sha256').update(image).digest('hex');
    expect(r.stdout).toBe(`valid: SHA256withECDSA, 4096 bytes, sha256 ${sha}\n`);
    expect(
      (
        await fwsign(
          tmp.dir,
          'verify',
          '--cert',
          'a.crt',
          '--in',
          'fw.signed.json',
          '--payload',
          'fw.bin',
        )
      ).code,
    ).toBe(0);
  });

  it('exits 1 with the reason for a wrong certificate, a tampered object, or a detached object without payload', async () => {
    const wrong = await fwsign(tmp.dir, 'verify', '--cert', 'b.crt', '--in', 'fw.signed.json');
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^invalid: signature-mismatch/);
    const text = readFileSync(join(tmp.dir, 'fw.signed.json'), 'latin1');
    const at = text.indexOf('"payload":"') + 20;
    writeFileSync(
      join(tmp.dir, 'tampered.json'),
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1),
      'latin1',
    );
    const tampered = await fwsign(tmp.dir, 'verify', '--cert', 'a.crt', '--in', 'tampered.json');
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^invalid: signature-mismatch/);
    const detached = await fwsign(tmp.dir, 'verify', '--cert', 'a.crt', '--in', 'fw.detached.json');
    expect(detached.code).toBe(1);
    expect(detached.stdout).toMatch(/^invalid: missing-payload/);
    expect(
      (
        await fwsign(
          tmp.dir,
          'verify',
          '--cert',
          'a.crt',
          '--in',
          'fw.detached.json',
          '--payload',
          'fw.bin',
        )
      ).code,
    ).toBe(0);
    const garbage = await fwsign(tmp.dir, 'verify', '--cert', 'a.crt', '--in', 'fw.bin');
    expect(garbage.code).toBe(1);
    expect(garbage.stdout).toMatch(/^invalid: malformed-signed-object/);
  });

  it('checks --expires-at and needs exactly one key source', async () => {
    const expired = await fwsign(
      tmp.dir,
      'verify',
      '--cert',
      'a.crt',
      '--in',
      'fw.signed.json',
      '--expires-at',
      '2001-01-01T00:00:00Z',
    );
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(
      /^invalid: signature-expired: expired at 2001-01-01T00:00:00.000Z/,
    );
    const none = await fwsign(tmp.dir, 'verify', '--in', 'fw.signed.json');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give exactly one of --cert or --public-key');
  });
});
