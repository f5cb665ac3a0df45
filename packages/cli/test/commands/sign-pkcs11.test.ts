/** `fwsign sign --pkcs11-uri`: local signing with a key in a (SoftHSM2) token, checked by OpenSSL. */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSignedObject } from '@fwsign/signing-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fwsignWithEnv, tempDir } from '../helpers.js';
import {
  createSoftHsm,
  reportSoftHsmSkip,
  softhsmMissing,
  type SoftHsm,
} from '../../../signing-engine/test/softhsm.js';

reportSoftHsmSkip('fwsign sign --pkcs11-uri');

describe.skipIf(softhsmMissing)('fwsign sign --pkcs11-uri (SoftHSM2)', () => {
  const tmp = tempDir();
  const image = new Uint8Array(randomBytes(20_000));
  let hsm: SoftHsm;
  let env: Record<string, string>;

  beforeAll(async () => {
    hsm = createSoftHsm(['fwsign']);
    env = { FWSIGN_PKCS11_MODULE: hsm.module, FWSIGN_PKCS11_PIN: hsm.pin };
    writeFileSync(join(tmp.dir, 'fw.bin'), image);
    for (const alg of ['ecdsa-p256', 'rsa-2048']) {
      const r = await fwsignWithEnv(tmp.dir, env, 'keys', 'create', '--pkcs11-uri', `pkcs11:token=fwsign;object=${alg}`, '--algorithm', alg, '--subject', `CN=${alg}`, '--cert-out', `${alg}.crt`); // prettier-ignore
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(() => {
    hsm?.cleanup();
    tmp.cleanup();
  });

  it.each([
    ['AmazonFreeRTOS-Default', 'ecdsa-p256', 'sha256'],
    ['AmazonFreeRTOS-TI-CC3220SF', 'rsa-2048', 'sha1'],
  ])('%s: signs through the token; OpenSSL verifies the signature', async (platform, alg, hash) => {
    const r = await fwsignWithEnv(tmp.dir, env, 'sign', '--platform-id', platform, '--pkcs11-uri', `pkcs11:token=fwsign;object=${alg}`, '--cert', `${alg}.crt`, '--in', 'fw.bin', '--out', `${alg}.json`); // prettier-ignore
    expect(r.code, r.stderr).toBe(0);
    const obj = parseSignedObject(new Uint8Array(readFileSync(join(tmp.dir, `${alg}.json`))));
    writeFileSync(join(tmp.dir, `${alg}.sig`), obj.signature);
    spawnSync('openssl', ['x509', '-in', join(tmp.dir, `${alg}.crt`), '-noout', '-pubkey', '-out', join(tmp.dir, `${alg}.pub`)]); // prettier-ignore
    const v = spawnSync('openssl', ['dgst', `-${hash}`, '-verify', join(tmp.dir, `${alg}.pub`), '-signature', join(tmp.dir, `${alg}.sig`), join(tmp.dir, 'fw.bin')], { encoding: 'utf8' }); // prettier-ignore
    expect(v.stdout, v.stderr).toContain('Verified OK');
  });

  it('refuses a token key that is not the certificate’s, and --key with --pkcs11-uri', async () => {
    let r = await fwsignWithEnv(tmp.dir, env, 'sign', '--platform-id', 'AmazonFreeRTOS-Default', '--pkcs11-uri', 'pkcs11:token=fwsign;object=ecdsa-p256', '--cert', 'rsa-2048.crt', '--in', 'fw.bin', '--out', 'x.json'); // prettier-ignore
    expect(r.code).toBe(1);
    r = await fwsignWithEnv(tmp.dir, env, 'sign', '--platform-id', 'AmazonFreeRTOS-TI-CC3220SF', '--pkcs11-uri', 'pkcs11:token=fwsign;object=rsa-2048', '--key', 'k.pem', '--cert', 'rsa-2048.crt', '--in', 'fw.bin', '--out', 'x.json'); // prettier-ignore
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give exactly one of --key (a key file) or --pkcs11-uri');
  });
});
