/**
 * Signatures through a PKCS#11 token (a throw-away SoftHSM2 token): both algorithms the IoT
 * platforms use verify with OpenSSL's CLI; a wrong PIN, an absent token or key are typed errors.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeSigningCertificationRequest,
  generateTokenKeyPair,
  selfSignedCodeSigningCertificate,
  tokenSigner,
  TokenError,
} from '../src/index.js';
import { opensslVerify, tempDir } from './helpers.js';
import { createSoftHsm, reportSoftHsmSkip, softhsmMissing, type SoftHsm } from './softhsm.js';

reportSoftHsmSkip('token signer (PKCS#11 through SoftHSM2)');

async function tokenError(p: Promise<unknown>): Promise<TokenError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenError);
  return err as TokenError;
}

describe.skipIf(softhsmMissing)('signing through a PKCS#11 token (SoftHSM2)', () => {
  let hsm: SoftHsm;
  let env: NodeJS.ProcessEnv;
  const tmp = tempDir();
  const keys: Record<string, { uri: string; publicKeyPem: string; spkiDer: Uint8Array }> = {};

  beforeAll(async () => {
    // SoftHSM finds its tokens when first initialised: every token the file uses is made now.
    hsm = createSoftHsm(['fwsign', 'pins', 'wrong-pin']);
    env = { FWSIGN_PKCS11_MODULE: hsm.module, FWSIGN_PKCS11_PIN: hsm.pin };
    for (const [name, algorithm] of [
      ['ec', 'ecdsa-p256'],
      ['rsa', 'rsa-2048'],
    ] as const) {
      const made = await generateTokenKeyPair(`pkcs11:token=fwsign;object=${name}-key`, algorithm, {
        env,
      });
      const publicKeyPem = createPublicKey({
        key: Buffer.from(made.spkiDer),
        format: 'der',
        type: 'spki',
      })
        .export({ format: 'pem', type: 'spki' })
        .toString();
      keys[name] = { uri: made.uri, publicKeyPem, spkiDer: made.spkiDer };
    }
  });
  afterAll(() => {
    hsm?.cleanup();
    tmp.cleanup();
  });

  it('ECDSA P-256 over a SHA-256 digest: low-S DER that OpenSSL verifies', async () => {
    const signer = tokenSigner(keys.ec!.uri, 'ec-p256', { env });
    for (let i = 0; i < 8; i++) {
      const payload = new TextEncoder().encode(`firmware image ${i}`);
      const digest = createHash('sha256').update(payload).digest();
      const sig = await signer.signDigest(digest, 'SHA256');
      expect(sig[0]).toBe(0x30);
      expect(opensslVerify(tmp.dir, 'sha256', keys.ec!.publicKeyPem, payload, sig)).toBe(true);
      expect(opensslVerify(tmp.dir, 'sha256', keys.ec!.publicKeyPem, Uint8Array.of(1), sig)).toBe(
        false,
      );
    }
  });

  it('RSA-2048 PKCS#1 v1.5 over SHA-1 (the CC3220SF platform) and SHA-256: OpenSSL verifies', async () => {
    const signer = tokenSigner(keys.rsa!.uri, 'rsa', { env });
    const payload = new TextEncoder().encode('cc3220sf image');
    for (const hash of ['SHA1', 'SHA256'] as const) {
      const digest = createHash(hash.toLowerCase()).update(payload).digest();
      const sig = await signer.signDigest(digest, hash);
      expect(sig.length).toBe(256);
      expect(
        opensslVerify(
          tmp.dir,
          hash === 'SHA1' ? 'sha1' : 'sha256',
          keys.rsa!.publicKeyPem,
          payload,
          sig,
        ),
      ).toBe(true);
    }
  });

  it('signs concurrently over its session pool', async () => {
    const signer = tokenSigner(keys.ec!.uri, 'ec-p256', { env, maxSessions: 3 });
    const digest = createHash('sha256').update('x').digest();
    const payload = new TextEncoder().encode('x');
    const sigs = await Promise.all(
      Array.from({ length: 20 }, () => signer.signDigest(digest, 'SHA256')),
    );
    for (const sig of sigs.slice(0, 3))
      expect(opensslVerify(tmp.dir, 'sha256', keys.ec!.publicKeyPem, payload, sig)).toBe(true);
  });

  it('certificates and CSRs signed through the token: openssl x509 -verify / req -verify accept them', async () => {
    for (const [name, keyType] of [
      ['ec', 'ec-p256'],
      ['rsa', 'rsa'],
    ] as const) {
      const signer = tokenSigner(keys[name]!.uri, keyType, { env });
      const opts = { subject: `CN=${name} release, O=Acme`, spkiDer: keys[name]!.spkiDer, signer };
      const cert = join(tmp.dir, `${name}.crt`);
      const csr = join(tmp.dir, `${name}.csr`);
      writeFileSync(cert, await selfSignedCodeSigningCertificate(opts));
      writeFileSync(csr, await codeSigningCertificationRequest(opts));
      const x509 = spawnSync('openssl', ['verify', '-CAfile', cert, '-partial_chain', cert], {
        encoding: 'utf8',
      });
      expect(x509.stdout + x509.stderr).toContain(`${cert}: OK`);
      const req = spawnSync('openssl', ['req', '-in', csr, '-verify', '-noout', '-text'], {
        encoding: 'utf8',
      });
      expect(req.status, req.stderr).toBe(0);
      expect(req.stdout + req.stderr).toMatch(
        /verify OK|Certificate request self-signature verify OK/,
      );
      expect(req.stdout).toContain('Code Signing');
    }
  });

  it('the key is made inside the token, sensitive and never extractable', () => {
    const listing = hsm.pkcs11Tool([
      '--token-label',
      'fwsign',
      '--login',
      '--pin',
      hsm.pin,
      '--list-objects',
      '--type',
      'privkey',
    ]);
    expect(listing).toMatch(
      /label:\s+ec-key[\s\S]*?Access:\s+sensitive, always sensitive, never extractable, local/,
    );
    expect(listing).toMatch(
      /label:\s+rsa-key[\s\S]*?Access:\s+sensitive, always sensitive, never extractable, local/,
    );
  });

  it('a key of another type than expected fails the signature, typed', async () => {
    const signer = tokenSigner(keys.rsa!.uri, 'ec-p256', { env });
    const err = await tokenError(signer.signDigest(new Uint8Array(32), 'SHA256'));
    expect(err.code).toBe('UnsupportedKey');
    expect(err.message).toMatch(/is an rsa key, expected ec-p256/);
  });

  it('an absent token, an absent key, no module, no PIN: typed errors naming what is missing', async () => {
    const digest = new Uint8Array(32);
    let err = await tokenError(
      tokenSigner('pkcs11:token=nope;object=ec-key', 'ec-p256', { env }).signDigest(
        digest,
        'SHA256',
      ),
    );
    expect(err.code).toBe('TokenNotFound');
    expect(err.message).toMatch(/no token matches token "nope".*tokens present: .*"fwsign"/);
    err = await tokenError(
      tokenSigner('pkcs11:token=fwsign;object=gone', 'ec-p256', { env }).signDigest(
        digest,
        'SHA256',
      ),
    );
    expect(err.code).toBe('KeyNotFound');
    err = await tokenError(
      tokenSigner(keys.ec!.uri, 'ec-p256', { env: {} }).signDigest(digest, 'SHA256'),
    );
    expect(err.code).toBe('ModuleNotConfigured');
    expect(err.message).toMatch(/FWSIGN_PKCS11_MODULE/);
    err = await tokenError(
      tokenSigner(`${keys.ec!.uri}?module-path=${join(tmp.dir, 'none.so')}`, 'ec-p256', {
        env,
      }).signDigest(digest, 'SHA256'),
    );
    expect(err.code).toBe('ModuleLoadFailed');
  });

  it('reads the PIN from pin-source; a wrong PIN is refused once and not tried again', async () => {
    const pinFile = join(tmp.dir, 'pin');
    writeFileSync(pinFile, `${hsm.pin}\n`, { mode: 0o600 });
    const digest = createHash('sha256').update('p').digest();
    // Tokens of their own: a login is per application and token, and a token someone is logged
    // in to answers CKR_USER_ALREADY_LOGGED_IN before it looks at the PIN.
    await generateTokenKeyPair('pkcs11:token=pins;object=k', 'ecdsa-p256', { env });
    const viaFile = tokenSigner(
      `pkcs11:token=pins;object=k?pin-source=file:${pinFile}`,
      'ec-p256',
      {
        env: { FWSIGN_PKCS11_MODULE: hsm.module },
      },
    );
    expect((await viaFile.signDigest(digest, 'SHA256'))[0]).toBe(0x30);

    const wrong = { FWSIGN_PKCS11_MODULE: hsm.module, FWSIGN_PKCS11_PIN: '0000-wrong' };
    const first = await tokenError(
      tokenSigner('pkcs11:token=wrong-pin;object=k', 'ec-p256', { env: wrong }).signDigest(
        digest,
        'SHA256',
      ),
    );
    expect(first.code).toBe('PinIncorrect');
    expect(first.message).not.toContain('0000-wrong');
    const second = await tokenError(
      tokenSigner('pkcs11:token=wrong-pin;object=k', 'ec-p256', { env: wrong }).signDigest(
        digest,
        'SHA256',
      ),
    );
    expect(second.code).toBe('PinIncorrect');
    expect(second.message).toMatch(/refused this PIN before; fwsign does not try it again/);
  });
});
