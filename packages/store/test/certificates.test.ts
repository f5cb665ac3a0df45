import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignerStore } from '../src/index.js';
import {
  ALICE,
  BOB,
  EC_P256,
  EC_P384,
  RSA_1024,
  RSA_2048,
  enc,
  expectStoreError,
  openStore,
  opensslPair,
  removeDir,
  tempDir,
} from './helpers.js';
import type { KeyPair } from './helpers.js';

let dir: string;
let keys: string;
let store: SignerStore;
let ec: KeyPair;
let ec2: KeyPair;
let rsa: KeyPair;

beforeAll(() => {
  dir = tempDir('certs');
  keys = tempDir('certs-keys');
  ec = opensslPair(keys, 'ec', EC_P256);
  ec2 = opensslPair(keys, 'ec2', EC_P256);
  rsa = opensslPair(keys, 'rsa', RSA_2048);
  store = openStore(dir);
});

afterAll(() => {
  store.close();
  removeDir(dir);
  removeDir(keys);
});

describe('ImportCertificate', () => {
  it('imports a P-256 or RSA-2048 pair and describes it like ACM', () => {
    const { certificateArn } = store.importCertificate(ALICE, {
      certificate: enc(ec.certPem),
      privateKey: enc(ec.keyPem),
      tags: [{ Key: 'use', Value: 'fw' }],
    });
    expect(certificateArn).toMatch(
      /^arn:aws:acm:us-east-1:111111111111:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const d = store.describeCertificate(ALICE, { certificateArn }).certificate;
    expect(d).toMatchObject({
      certificateArn,
      domainName: 'ec.fwsign.test',
      keyAlgorithm: 'EC_prime256v1',
      status: 'ISSUED',
      type: 'IMPORTED',
      inUseBy: [],
    });
    expect(d.notAfter.getTime()).toBeGreaterThan(Date.now());
    const r = store.importCertificate(ALICE, { certificate: rsa.certPem, privateKey: rsa.keyPem });
    expect(
      store.describeCertificate(ALICE, { certificateArn: r.certificateArn }).certificate
        .keyAlgorithm,
    ).toBe('RSA_2048');
    // GetCertificate returns the same DER OpenSSL wrote.
    const pem = store.getCertificate(ALICE, { certificateArn }).certificate;
    const b64 = (p: string) => p.replace(/-----[^-]+-----|\s/g, '');
    expect(b64(pem)).toBe(b64(ec.certPem));
  });

  it('refuses a key that does not match, RSA under 2048 bits, a curve other than P-256, an expired certificate', async () => {
    await expectStoreError(
      () =>
        store.importCertificate(ALICE, {
          certificate: enc(ec.certPem),
          privateKey: enc(ec2.keyPem),
        }),
      'ValidationException',
      /privateKey: the private key does not match the public key of certificate CN=ec\.fwsign\.test/,
    );
    const small = opensslPair(keys, 'rsa1024', RSA_1024);
    await expectStoreError(
      () =>
        store.importCertificate(ALICE, {
          certificate: enc(small.certPem),
          privateKey: enc(small.keyPem),
        }),
      'ValidationException',
      /certificate: RSA key of 1024 bits, expected at least 2048/,
    );
    const p384 = opensslPair(keys, 'p384', EC_P384);
    await expectStoreError(
      () =>
        store.importCertificate(ALICE, {
          certificate: enc(p384.certPem),
          privateKey: enc(p384.keyPem),
        }),
      'ValidationException',
      /curve other than P-256/,
    );
    const later = openStore(dir, { now: () => new Date(Date.now() + 400 * 86400_000) });
    try {
      await expectStoreError(
        () =>
          later.importCertificate(ALICE, {
            certificate: enc(ec.certPem),
            privateKey: enc(ec.keyPem),
          }),
        'ValidationException',
        /certificate: expired at/,
      );
    } finally {
      later.close();
    }
    await expectStoreError(
      () =>
        store.importCertificate(ALICE, {
          certificate: enc('not a pem'),
          privateKey: enc(ec.keyPem),
        }),
      'ValidationException',
      /^certificate: /,
    );
    const e = await expectStoreError(
      () =>
        store.importCertificate(ALICE, {
          certificate: enc(ec.certPem),
          privateKey: enc('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
        }),
      'ValidationException',
      /^privateKey: /,
    );
    expect(e.message).not.toContain('AAAA');
  });

  it('re-imports into the same ARN, lists with pagination, refuses deleting a certificate in use', async () => {
    const { certificateArn } = store.importCertificate(BOB, {
      certificate: enc(ec.certPem),
      privateKey: enc(ec.keyPem),
    });
    expect(
      store.importCertificate(BOB, {
        certificate: enc(ec2.certPem),
        privateKey: enc(ec2.keyPem),
        certificateArn,
      }).certificateArn,
    ).toBe(certificateArn);
    expect(store.describeCertificate(BOB, { certificateArn }).certificate.domainName).toBe(
      'ec2.fwsign.test',
    );
    await expectStoreError(
      () => store.describeCertificate(ALICE, { certificateArn }),
      'ResourceNotFoundException',
      /does not exist in account 111111111111/,
    );
    await expectStoreError(
      () => store.describeCertificate(ALICE, { certificateArn: 'arn:nope' }),
      'InvalidParameterException',
      /certificateArn: expected arn:aws:acm/,
    );
    store.importCertificate(BOB, { certificate: enc(rsa.certPem), privateKey: enc(rsa.keyPem) });
    const p1 = store.listCertificates(BOB, { maxItems: 1 });
    expect(p1.certificateSummaryList).toHaveLength(1);
    const p2 = store.listCertificates(BOB, { maxItems: 1, nextToken: p1.nextToken! });
    expect(p2.certificateSummaryList).toHaveLength(1);
    expect(p2.nextToken).toBeUndefined();
    store.putSigningProfile(BOB, {
      profileName: 'bob_prof',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
    });
    expect(store.describeCertificate(BOB, { certificateArn }).certificate.inUseBy).toEqual([
      'arn:aws:signer:us-east-1:222222222222:/signing-profiles/bob_prof',
    ]);
    const e = await expectStoreError(
      () => store.deleteCertificate(BOB, { certificateArn }),
      'ResourceInUseException',
      /is in use by arn:aws:signer:us-east-1:222222222222:\/signing-profiles\/bob_prof/,
    );
    expect(e.httpStatus).toBe(400);
    store.cancelSigningProfile(BOB, { profileName: 'bob_prof' });
    store.deleteCertificate(BOB, { certificateArn });
    await expectStoreError(
      () => store.describeCertificate(BOB, { certificateArn }),
      'ResourceNotFoundException',
      /does not exist/,
    );
  });
});

describe('private keys at rest', () => {
  it('never appear in the database files, and are unreadable with another master key', async () => {
    const { certificateArn } = store.importCertificate(ALICE, {
      certificate: enc(ec.certPem),
      privateKey: enc(ec.keyPem),
    });
    store.putSigningProfile(ALICE, {
      profileName: 'at_rest',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
    });
    // The raw private scalar, as OpenSSL prints it.
    const { execFileSync } = await import('node:child_process');
    const text = execFileSync('openssl', [
      'pkey',
      '-in',
      join(keys, 'ec.key'),
      '-noout',
      '-text',
    ]).toString();
    const priv = Buffer.from(
      /priv:\s*([0-9a-f:\s]+?)\s*pub:/.exec(text)![1]!.replace(/[:\s]/g, ''),
      'hex',
    );
    const scalar = priv.length > 32 ? priv.subarray(priv.length - 32) : priv;
    const pemBody = ec.keyPem.split('\n')[1]!;
    for (const f of readdirSync(dir).filter((n) => n.startsWith('signer.db'))) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes(scalar)).toBe(false);
      expect(bytes.includes(Buffer.from(pemBody))).toBe(false);
    }
    // Nothing the store returns holds the key either.
    const out = JSON.stringify([
      store.describeCertificate(ALICE, { certificateArn }),
      store.listCertificates(ALICE),
      store.getCertificate(ALICE, { certificateArn }),
      store.getSigningProfile(ALICE, { profileName: 'at_rest' }),
    ]);
    expect(out).not.toContain(pemBody);
    expect(out).not.toContain(scalar.toString('hex'));
    expect(out).not.toContain(scalar.toString('base64'));
    // Another master key is refused at open (its check value differs), before any job could try it.
    expect(() => openStore(dir, { masterKey: new Uint8Array(32).fill(9) })).toThrow(
      /masterKey option: this is not the master key the \d+ private key\(s\) in .* are sealed under/,
    );
  });
});
