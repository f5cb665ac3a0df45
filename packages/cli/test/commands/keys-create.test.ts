import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseCertificate, privateKeyMatchesCertificate } from '@fwsign/signing-engine';
import { afterAll, describe, expect, it } from 'vitest';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

describe('fwsign keys create', () => {
  it.each(['ecdsa-p256', 'rsa-2048'])(
    '%s: writes a 0600 key and a codeSigning certificate that match, never printing the key',
    async (algorithm) => {
      const r = await fwsign(
        tmp.dir,
        'keys',
        'create',
        '--algorithm',
        algorithm,
        '--subject',
        'CN=Test Signer, O=fwsign',
        '--key-out',
        `${algorithm}.key`,
        '--cert-out',
        `${algorithm}.crt`,
        '--validity-days',
        '10',
      );
      expect(r.code, r.stderr).toBe(0);
      const keyPath = join(tmp.dir, `${algorithm}.key`);
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      const key = readFileSync(keyPath, 'utf8');
      expect(r.stdout).not.toContain('PRIVATE KEY');
      expect(r.stdout).not.toContain(key.split('\n')[1]!);
      const cert = parseCertificate(readFileSync(join(tmp.dir, `${algorithm}.crt`)));
      expect(cert.subject).toBe('CN=Test Signer, O=fwsign');
      expect(cert.extendedKeyUsage).toEqual(['codeSigning']);
      expect(privateKeyMatchesCertificate(key, cert)).toBe(true);
      expect(r.stdout).toContain(`sha256 ${Buffer.from(cert.sha256).toString('hex')}`);
      const text = spawnSync(
        'openssl',
        ['x509', '-in', join(tmp.dir, `${algorithm}.crt`), '-noout', '-text'],
        { encoding: 'utf8' },
      ).stdout;
      expect(text).toContain('Code Signing');
    },
  );

  it('keeps an existing key unless --force, and checks its flags', async () => {
    writeFileSync(join(tmp.dir, 'keep.key'), 'precious');
    const r = await fwsign(
      tmp.dir,
      'keys',
      'create',
      '--algorithm',
      'ecdsa-p256',
      '--subject',
      'CN=x',
      '--key-out',
      'keep.key',
      '--cert-out',
      'keep.crt',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('keep.key exists; pass --force to replace it');
    expect(readFileSync(join(tmp.dir, 'keep.key'), 'utf8')).toBe('precious');
    const forced = await fwsign(
      tmp.dir,
      'keys',
      'create',
      '--algorithm',
      'ecdsa-p256',
      '--subject',
      'CN=x',
      '--key-out',
      'keep.key',
      '--cert-out',
      'keep.crt',
      '--force',
    );
    expect(forced.code).toBe(0);
    expect(statSync(join(tmp.dir, 'keep.key')).mode & 0o777).toBe(0o600);
    const bad = await fwsign(
      tmp.dir,
      'keys',
      'create',
      '--algorithm',
      'dsa',
      '--subject',
      'CN=x',
      '--key-out',
      'a',
      '--cert-out',
      'b',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--algorithm expected one of ecdsa-p256, rsa-2048, got "dsa"');
    const subj = await fwsign(
      tmp.dir,
      'keys',
      'create',
      '--algorithm',
      'ecdsa-p256',
      '--subject',
      'nonsense',
      '--key-out',
      'n.key',
      '--cert-out',
      'n.crt',
    );
    expect(subj.code).toBe(1);
    expect(subj.stderr).toContain('"subject" part expected KEY=value');
  });
});
