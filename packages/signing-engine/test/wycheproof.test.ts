/**
 * Project Wycheproof vectors (the repository's vectors/wycheproof, see vectors/README.md) walked case by case:
 * ECDSA P-256 verification, RSA PKCS#1 v1.5 verification (padding and DigestInfo forgeries), and
 * RSA PKCS#1 v1.5 SHA-1 signature generation as a known-answer test of the CC3220SF signer.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signerFromPrivateKey } from '../src/index.js';
import { verifyEcdsaP256Digest, verifyRsaPkcs1Digest } from '../src/verify.js';

// The vendored copy (vectors/README.md); FWSIGN_VECTORS, which the C tests' Makefile honours too,
// points at another one.
const VECTORS = join(
  process.env.FWSIGN_VECTORS ?? fileURLToPath(new URL('../../../vectors/', import.meta.url)),
  'wycheproof',
);

interface Case {
  tcId: number;
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
  comment: string;
}
interface Group {
  publicKeyPem?: string;
  keyPem?: string;
  privateKeyPem?: string;
  sha: string;
  tests: Case[];
}
const load = (name: string): { testGroups: Group[] } =>
  JSON.parse(readFileSync(join(VECTORS, name), 'utf8'));
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

describe('Wycheproof ecdsa_secp256r1_sha256_test', () => {
  const groups = load('ecdsa_secp256r1_sha256_test.json').testGroups;
  it('accepts every valid signature and rejects every invalid one', () => {
    let valid = 0;
    let invalid = 0;
    for (const g of groups) {
      const key = createPublicKey(g.publicKeyPem!);
      for (const t of g.tests) {
        const ok = verifyEcdsaP256Digest(
          key,
          new Uint8Array(createHash('sha256').update(hex(t.msg)).digest()),
          hex(t.sig),
        );
        if (t.result === 'valid') {
          expect(ok, `tcId ${t.tcId} ${t.comment}`).toBe(true);
          valid++;
        } else if (t.result === 'invalid') {
          expect(ok, `tcId ${t.tcId} ${t.comment}`).toBe(false);
          invalid++;
        }
      }
    }
    expect(valid).toBeGreaterThan(50);
    expect(invalid).toBeGreaterThan(200);
  });
});

describe('Wycheproof rsa_signature_2048_sha256_test', () => {
  const groups = load('rsa_signature_2048_sha256_test.json').testGroups;
  it('accepts every valid signature and rejects every invalid one (strict encoding comparison)', () => {
    let count = 0;
    for (const g of groups) {
      const key = createPublicKey(g.publicKeyPem!);
      for (const t of g.tests) {
        if (t.result === 'acceptable') continue;
        const ok = verifyRsaPkcs1Digest(
          key,
          'SHA256',
          new Uint8Array(createHash('sha256').update(hex(t.msg)).digest()),
          hex(t.sig),
        );
        expect(ok, `tcId ${t.tcId} ${t.comment}`).toBe(t.result === 'valid');
        count++;
      }
    }
    expect(count).toBeGreaterThan(200);
  });
});

describe('Wycheproof rsa_pkcs1_2048_sig_gen_test (SHA-1 groups)', () => {
  const groups = load('rsa_pkcs1_2048_sig_gen_test.json').testGroups.filter(
    (g) => g.sha === 'SHA-1',
  );
  it('produces exactly the expected SHA1withRSA signatures and verifies them', async () => {
    expect(groups.length).toBeGreaterThan(0);
    let count = 0;
    for (const g of groups) {
      const signer = signerFromPrivateKey(g.privateKeyPem!);
      const pub = createPublicKey(g.keyPem!);
      for (const t of g.tests) {
        const digest = new Uint8Array(createHash('sha1').update(hex(t.msg)).digest());
        const sig = await signer.signDigest(digest, 'SHA1');
        expect(Buffer.from(sig).toString('hex'), `tcId ${t.tcId}`).toBe(t.sig);
        expect(verifyRsaPkcs1Digest(pub, 'SHA1', digest, sig)).toBe(true);
        count++;
      }
    }
    expect(count).toBeGreaterThan(3);
  });
});
