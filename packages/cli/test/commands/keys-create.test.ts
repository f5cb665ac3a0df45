import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseCertificate, privateKeyMatchesCertificate } from '@fwsign/signing-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fwsign, fwsignWithEnv, tempDir } from '../helpers.js';
import {
  createSoftHsm,
  reportSoftHsmSkip,
  softhsmMissing,
  type SoftHsm,
} from '../../../signing-engine/test/softhsm.js';

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

reportSoftHsmSkip('fwsign keys create --pkcs11-uri');

describe.skipIf(softhsmMissing)('fwsign keys create --pkcs11-uri (SoftHSM2)', () => {
  let hsm: SoftHsm;
  let env: Record<string, string>;
  beforeAll(() => {
    hsm = createSoftHsm(['fwsign']);
    env = { FWSIGN_PKCS11_MODULE: hsm.module, FWSIGN_PKCS11_PIN: hsm.pin };
  });
  afterAll(() => hsm?.cleanup());

  it.each(['ecdsa-p256', 'rsa-2048'])(
    '%s: the key pair is made in the token, sensitive and never extractable; openssl accepts the certificate and the CSR',
    async (algorithm) => {
      const cert = join(tmp.dir, `token-${algorithm}.crt`);
      let r = await fwsignWithEnv(tmp.dir, env, 'keys', 'create', '--pkcs11-uri', `pkcs11:token=fwsign;object=${algorithm}-release`, '--algorithm', algorithm, '--subject', 'CN=Release, O=Acme', '--cert-out', cert); // prettier-ignore
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(`key in the token: pkcs11:token=fwsign;object=${algorithm}-release;id=`),
      );
      const verify = spawnSync('openssl', ['verify', '-CAfile', cert, '-partial_chain', cert], { encoding: 'utf8' }); // prettier-ignore
      expect(verify.stdout, verify.stderr).toContain(`${cert}: OK`);
      expect(parseCertificate(readFileSync(cert)).extendedKeyUsage).toEqual(['codeSigning']);

      const csr = join(tmp.dir, `token-${algorithm}.csr`);
      r = await fwsignWithEnv(tmp.dir, env, 'keys', 'create', '--pkcs11-uri', `pkcs11:token=fwsign;object=${algorithm}-ca`, '--algorithm', algorithm, '--subject', 'CN=For the CA', '--csr-out', csr); // prettier-ignore
      expect(r.code, r.stderr).toBe(0);
      const req = spawnSync('openssl', ['req', '-in', csr, '-verify', '-noout', '-subject'], { encoding: 'utf8' }); // prettier-ignore
      expect(req.status, req.stderr).toBe(0);
      expect(req.stdout).toContain('CN = For the CA');

      const listing = hsm.pkcs11Tool(['--token-label', 'fwsign', '--login', '--pin', hsm.pin, '--list-objects', '--type', 'privkey']); // prettier-ignore
      expect(listing).toMatch(
        new RegExp(
          `label:\\s+${algorithm}-release[\\s\\S]*?Access:\\s+sensitive, always sensitive, never extractable, local`,
        ),
      );
    },
  );

  it('refuses a second key of the same name, --key-out, and a missing PIN, saying why', async () => {
    const uri = 'pkcs11:token=fwsign;object=ecdsa-p256-release';
    let r = await fwsignWithEnv(tmp.dir, env, 'keys', 'create', '--pkcs11-uri', uri, '--algorithm', 'ecdsa-p256', '--subject', 'CN=x', '--cert-out', 'again.crt'); // prettier-ignore
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already holds a private key labelled "ecdsa-p256-release"');
    r = await fwsignWithEnv(tmp.dir, env, 'keys', 'create', '--pkcs11-uri', uri, '--algorithm', 'ecdsa-p256', '--subject', 'CN=x', '--cert-out', 'x.crt', '--key-out', 'x.key'); // prettier-ignore
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--key-out cannot be used with --pkcs11-uri');
    r = await fwsignWithEnv(tmp.dir, { FWSIGN_PKCS11_MODULE: hsm.module }, 'keys', 'create', '--pkcs11-uri', 'pkcs11:token=fwsign;object=new', '--algorithm', 'ecdsa-p256', '--subject', 'CN=x', '--cert-out', 'y.crt'); // prettier-ignore
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PinMissing: PKCS#11: no PIN');
  });
});
