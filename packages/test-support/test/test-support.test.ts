import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCodeSigningCertificate, seededRandom, seedFromEnv } from '../src/index.js';

describe('seededRandom', () => {
  it('is mulberry32: the published first values for seed 1, and the same run for the same seed', () => {
    const r = seededRandom(1);
    expect([r(), r(), r()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    const a = seededRandom(20261207);
    const b = seededRandom(20261207);
    const run = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(run);
    expect(run.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('takes the seed from the environment when it is a positive integer', () => {
    process.env.FWSIGN_TEST_SUPPORT_SEED = '42';
    expect(seedFromEnv('FWSIGN_TEST_SUPPORT_SEED')).toBe(42);
    process.env.FWSIGN_TEST_SUPPORT_SEED = 'x';
    expect(seedFromEnv('FWSIGN_TEST_SUPPORT_SEED')).toBeGreaterThan(0);
    delete process.env.FWSIGN_TEST_SUPPORT_SEED;
  });
});

describe('makeCodeSigningCertificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-test-support-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a P-256 code-signing certificate whose PKCS#8 key matches it', () => {
    const c = makeCodeSigningCertificate(dir, 'ec', 'support test');
    const x = new X509Certificate(c.certificate);
    expect(x.subject).toBe('CN=support test');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.3']); // extendedKeyUsage codeSigning
    expect(c.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(x.checkPrivateKey(createPrivateKey(c.privateKey))).toBe(true);
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });
});
