import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedSignedObjectSize, parseSignedObject } from '@fwsign/signing-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const image = new Uint8Array(randomBytes(70_001));

beforeAll(async () => {
  writeFileSync(join(tmp.dir, 'fw.bin'), image);
  for (const alg of ['ecdsa-p256', 'rsa-2048']) {
    const r = await fwsign(
      tmp.dir,
      'keys',
      'create',
      '--algorithm',
      alg,
      '--subject',
      `CN=${alg}`,
      '--key-out',
      `${alg}.key`,
      '--cert-out',
      `${alg}.crt`,
    );
    expect(r.code, r.stderr).toBe(0);
  }
});

function opensslVerifies(
  hash: string,
  cert: string,
  payload: Uint8Array,
  signature: Uint8Array,
): boolean {
  const pub = spawnSync('openssl', ['x509', '-in', join(tmp.dir, cert), '-noout', '-pubkey'], {
    encoding: 'utf8',
  }).stdout;
  writeFileSync(join(tmp.dir, 'pub.pem'), pub);
  writeFileSync(join(tmp.dir, 'sig.bin'), signature);
  writeFileSync(join(tmp.dir, 'payload.bin'), payload);
  const r = spawnSync(
    'openssl',
    [
      'dgst',
      `-${hash}`,
      '-verify',
      join(tmp.dir, 'pub.pem'),
      '-signature',
      join(tmp.dir, 'sig.bin'),
      join(tmp.dir, 'payload.bin'),
    ],
    { encoding: 'utf8' },
  );
  return r.status === 0;
}

describe('fwsign sign', () => {
  it.each([
    ['AmazonFreeRTOS-Default', 'ecdsa-p256', 'sha256', 'SHA256withECDSA'],
    ['AmazonFreeRTOS-TI-CC3220SF', 'rsa-2048', 'sha1', 'SHA1withRSA'],
  ])(
    '%s: writes the JSONEmbedded object; OpenSSL verifies its signature',
    async (platform, alg, hash, sigAlg) => {
      const r = await fwsign(
        tmp.dir,
        'sign',
        '--platform-id',
        platform,
        '--key',
        `${alg}.key`,
        '--cert',
        `${alg}.crt`,
        '--in',
        'fw.bin',
        '--out',
        `${alg}.signed.json`,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`signed ${join(tmp.dir, 'fw.bin')} (70001 bytes`);
      expect(r.stdout).toContain(`${sigAlg}, JSONEmbedded`);
      const bytes = new Uint8Array(readFileSync(join(tmp.dir, `${alg}.signed.json`)));
      const obj = parseSignedObject(bytes);
      expect(obj.signatureAlgorithm).toBe(sigAlg);
      expect(bytes.length).toBe(
        embeddedSignedObjectSize(70_001, obj.signature.length, obj.signatureAlgorithm),
      );
      expect(Buffer.from(obj.payload!).equals(Buffer.from(image))).toBe(true);
      expect(opensslVerifies(hash, `${alg}.crt`, image, obj.signature)).toBe(true);
    },
  );

  it('writes JSONDetached for IoT Device Management with the payload location', async () => {
    const r = await fwsign(
      tmp.dir,
      'sign',
      '--platform-id',
      'AWSIoTDeviceManagement-SHA256-ECDSA',
      '--key',
      'ecdsa-p256.key',
      '--cert',
      'ecdsa-p256.crt',
      '--in',
      'fw.bin',
      '--out',
      'fw.detached.json',
      '--bucket',
      'firmware',
      '--object-version',
      '7',
    );
    expect(r.code, r.stderr).toBe(0);
    const obj = parseSignedObject(new Uint8Array(readFileSync(join(tmp.dir, 'fw.detached.json'))));
    expect(obj.payloadLocation).toEqual({ bucketName: 'firmware', key: 'fw.bin', version: '7' });
    const missing = await fwsign(
      tmp.dir,
      'sign',
      '--platform-id',
      'AWSIoTDeviceManagement-SHA256-ECDSA',
      '--key',
      'ecdsa-p256.key',
      '--cert',
      'ecdsa-p256.crt',
      '--in',
      'fw.bin',
      '--out',
      'x.json',
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('JSONDetached needs --bucket and --object-version');
  });

  it('refuses a key that does not match the certificate, a wrong format and a non-signable platform', async () => {
    const mismatch = await fwsign(
      tmp.dir,
      'sign',
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--key',
      'ecdsa-p256.key',
      '--cert',
      'rsa-2048.crt',
      '--in',
      'fw.bin',
      '--out',
      'bad.json',
    );
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('the key does not match the certificate');
    const format = await fwsign(
      tmp.dir,
      'sign',
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--key',
      'ecdsa-p256.key',
      '--cert',
      'ecdsa-p256.crt',
      '--in',
      'fw.bin',
      '--out',
      'bad.json',
      '--format',
      'JSONDetached',
    );
    expect(format.code).toBe(1);
    expect(format.stderr).toBe(
      'fwsign sign: ValidationException: signingImageFormat: expected one of [JSONEmbedded], got "JSONDetached"\n',
    );
    const lambda = await fwsign(
      tmp.dir,
      'sign',
      '--platform-id',
      'AWSLambda-SHA384-ECDSA',
      '--key',
      'ecdsa-p256.key',
      '--cert',
      'ecdsa-p256.crt',
      '--in',
      'fw.bin',
      '--out',
      'bad.json',
    );
    expect(lambda.code).toBe(1);
    expect(lambda.stderr).toContain(
      'UnsupportedPlatform: platform AWSLambda-SHA384-ECDSA is listed but fwsign cannot sign for it',
    );
    const wrongKey = await fwsign(
      tmp.dir,
      'sign',
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--key',
      'rsa-2048.key',
      '--cert',
      'rsa-2048.crt',
      '--in',
      'fw.bin',
      '--out',
      'bad.json',
    );
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain(
      'InvalidKey: sign: platform AmazonFreeRTOS-Default signs with SHA256withECDSA and needs a ec-p256 key, got a rsa key',
    );
    const noInput = await fwsign(
      tmp.dir,
      'sign',
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--key',
      'ecdsa-p256.key',
      '--cert',
      'ecdsa-p256.crt',
      '--in',
      'missing.bin',
      '--out',
      'bad.json',
    );
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toContain('--in');
    expect(noInput.stderr).toContain('no such file (ENOENT)');
    expect(() => readFileSync(join(tmp.dir, 'bad.json'))).toThrow(/ENOENT/);
  });
});
