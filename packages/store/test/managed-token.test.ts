/**
 * Signer-managed keys in a PKCS#11 token (a throw-away SoftHSM2 token): the CA and profile-version
 * keys of Lambda and Notation profiles are made in it, sensitive and never extractable; the
 * database holds their URIs and no sealed key; envelopes and Lambda packages signed through it
 * verify (OpenSSL checks the chain and the signature); a pulled token fails Lambda jobs with a
 * statusReason and SignPayload with an AWS-shaped error while other profiles sign on; a refused
 * PIN is reported and not tried again.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NOTARY_PAYLOAD_TYPE,
  p1363ToDer384,
  pem,
  verifyJwsEnvelope,
  verifyLambdaPackage,
} from '@fwsign/signing-engine';
import { SignerStore } from '../src/index.js';
import {
  createSoftHsm,
  reportSoftHsmSkip,
  softhsmMissing,
  useTokenEnv,
  type SoftHsm,
} from '../../signing-engine/test/softhsm.js';
import {
  ALICE,
  BOB,
  EC_P256,
  enc,
  expectStoreError,
  openStore,
  opensslPair,
  removeDir,
  setupAlice,
  tempDir,
  TEST_MASTER_KEY,
} from './helpers.js';

reportSoftHsmSkip('Signer-managed keys in a PKCS#11 token');

const notaryPayload = enc(
  JSON.stringify({
    targetArtifact: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:73c803930ea3ba1e54bc25c2bdc53edd0284c62ed651fe7b00369da519a3c333',
      size: 16724,
    },
  }),
);

describe.skipIf(softhsmMissing)('Signer-managed keys in a PKCS#11 token (SoftHSM2)', () => {
  let hsm: SoftHsm;
  let dir: string;
  let store: SignerStore;
  let zip: Uint8Array;
  let restoreEnv: (() => void) | undefined;

  beforeAll(() => {
    // SoftHSM reads its tokens when first initialised: every token this file uses is made now.
    hsm = createSoftHsm(['managed', 'wrong-pin']);
    restoreEnv = useTokenEnv(hsm);
    dir = tempDir('managed-token');
    store = openStore(dir, { managedKeysPkcs11Uri: 'pkcs11:token=managed' });
    for (const b of ['src', 'dst']) {
      store.buckets.createBucket(ALICE.accountId, b);
      store.buckets.putBucketVersioning(ALICE.accountId, b, 'Enabled');
    }
    writeFileSync(join(dir, 'index.py'), 'def handler(e, c):\n    return 1\n');
    execFileSync('zip', ['-q', 'fn.zip', 'index.py'], { cwd: dir });
    zip = new Uint8Array(readFileSync(join(dir, 'fn.zip')));
    store.putSigningProfile(ALICE, { profileName: 'oci', platformId: 'Notation-OCI-SHA384-ECDSA' });
    store.putSigningProfile(ALICE, { profileName: 'fn', platformId: 'AWSLambda-SHA384-ECDSA' });
  });
  afterAll(() => {
    store?.close();
    hsm?.cleanup();
    if (dir) removeDir(dir);
    restoreEnv?.();
  });

  /** Every Signer-managed key column of the database, as text. */
  function storedKeys(): string[] {
    const db = new Database(join(dir, 'signer.db'), { readonly: true });
    try {
      return (
        [
          ...db.prepare('SELECT root_key AS k FROM managed_ca').all(),
          ...db.prepare('SELECT intermediate_key AS k FROM managed_ca').all(),
          ...db.prepare('SELECT key_ciphertext AS k FROM profile_keys').all(),
        ] as Array<{ k: Buffer }>
      ).map(({ k }) => k.toString('utf8'));
    } finally {
      db.close();
    }
  }

  async function lambdaJob(key: string) {
    const { versionId } = store.buckets.putObject(ALICE.accountId, 'src', key, zip);
    const { jobId } = await store.startSigningJob(ALICE, {
      source: { s3: { bucketName: 'src', key, version: versionId } },
      destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
      profileName: 'fn',
      clientRequestToken: `t-${key}`,
    });
    return store.describeSigningJob(ALICE, { jobId });
  }

  it('makes the CA and profile keys in the token, sensitive and never extractable; the database keeps URIs only', () => {
    const objects = hsm.pkcs11Tool(['--token-label', 'managed', '--login', '--pin', hsm.pin, '--list-objects', '--type', 'privkey']); // prettier-ignore
    const keys = objects.split(/\n(?=Private Key Object)/).filter((o) => o.includes('EC'));
    // Alice's root and intermediate CA, and one key per profile version (oci, fn).
    expect(keys).toHaveLength(4);
    for (const k of keys) {
      expect(k).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
      expect(k).toMatch(/Usage:.*\bsign\b/);
    }
    expect(objects).toMatch(/label:\s+fwsign-ca-us-east-1-111111111111-root-[0-9a-f]{8}/);
    expect(objects).toMatch(/label:\s+fwsign-111111111111-oci-[A-Za-z0-9]{10}-[0-9a-f]{8}/);
    const stored = storedKeys();
    expect(stored).toHaveLength(4);
    for (const k of stored)
      expect(k).toMatch(/^pkcs11:token=managed;object=fwsign-[^;?]+;id=[^;?]+$/);
  });

  it('signs SignPayload through the token: the envelope and its chain verify, also with OpenSSL', async () => {
    const r = await store.signPayload(ALICE, {
      profileName: 'oci',
      payload: notaryPayload,
      payloadFormat: NOTARY_PAYLOAD_TYPE,
    });
    const envelope = Buffer.from(r.signature).toString('utf8');
    const root = store.rootCertificate(ALICE);
    expect(
      verifyJwsEnvelope({ envelope, contentType: NOTARY_PAYLOAD_TYPE, trustedRoots: [root] }),
    ).toMatchObject({ ok: true, reason: 'valid' });
    // OpenSSL, independently: the chain to the root, then ES384 over the JWS signing input.
    const env = JSON.parse(envelope) as {
      payload: string;
      protected: string;
      signature: string;
      header: { x5c: string[] };
    };
    const [leaf, inter] = env.header.x5c.map((c) => Buffer.from(c, 'base64'));
    writeFileSync(join(dir, 'root.pem'), pem('CERTIFICATE', root));
    writeFileSync(join(dir, 'inter.pem'), pem('CERTIFICATE', inter!));
    writeFileSync(join(dir, 'leaf.pem'), pem('CERTIFICATE', leaf!));
    const chain = spawnSync('openssl', ['verify', '-CAfile', 'root.pem', '-untrusted', 'inter.pem', 'leaf.pem'], { cwd: dir, encoding: 'utf8' }); // prettier-ignore
    expect(chain.stdout, chain.stderr).toContain('leaf.pem: OK');
    writeFileSync(join(dir, 'input.txt'), `${env.protected}.${env.payload}`);
    writeFileSync(join(dir, 'sig.der'), p1363ToDer384(Buffer.from(env.signature, 'base64url')));
    execFileSync('openssl', ['x509', '-in', 'leaf.pem', '-pubkey', '-noout', '-out', 'leaf.pub'], { cwd: dir }); // prettier-ignore
    const dgst = spawnSync('openssl', ['dgst', '-sha384', '-verify', 'leaf.pub', '-signature', 'sig.der', 'input.txt'], { cwd: dir, encoding: 'utf8' }); // prettier-ignore
    expect(dgst.stdout, dgst.stderr).toContain('Verified OK');
  });

  it('signs Lambda jobs through the token; the package verifies against the account root', async () => {
    const d = await lambdaJob('ok.zip');
    expect(d.status, d.statusReason).toBe('Succeeded');
    const signed = store.buckets.getObject(ALICE.accountId, 'dst', d.signedObject!.s3.key).body;
    expect(
      verifyLambdaPackage({ pkg: signed, trustedRoots: [store.rootCertificate(ALICE)] }),
    ).toMatchObject({ ok: true, reason: 'valid' });
  });

  it('a pulled token fails Lambda jobs (statusReason) and SignPayload (InternalServiceErrorException); sealed keys sign on; all sign again once it is back', async () => {
    setupAlice(store, opensslPair(dir, 'fw', EC_P256));
    const tokens = hsm.tokenDir;
    renameSync(tokens, `${tokens}.pulled`);
    try {
      const d = await lambdaJob('pulled.zip');
      expect(d.status).toBe('Failed');
      expect(d.statusReason).toMatch(/^Signing failed: PKCS#11: /);
      await expectStoreError(
        () =>
          store.signPayload(ALICE, {
            profileName: 'oci',
            payload: notaryPayload,
            payloadFormat: NOTARY_PAYLOAD_TYPE,
          }),
        'InternalServiceErrorException',
        /^Signing failed: PKCS#11: /,
      );
      // A profile whose key is sealed in the database does not need the token.
      const { versionId } = store.buckets.putObject(
        ALICE.accountId,
        'src-bucket',
        'fw.bin',
        enc('firmware'),
      );
      const { jobId } = await store.startSigningJob(ALICE, {
        source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: versionId } },
        destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
        profileName: 'fw_profile',
        clientRequestToken: 't-fw',
      });
      expect(store.describeSigningJob(ALICE, { jobId }).status).toBe('Succeeded');
      // A new Signer-managed profile cannot get its key: the request fails, nothing is kept.
      await expectStoreError(
        () =>
          store.putSigningProfile(BOB, {
            profileName: 'oci',
            platformId: 'Notation-OCI-SHA384-ECDSA',
          }),
        'InternalServiceErrorException',
        /^Signer-managed keys: PKCS#11: /,
      );
      await expectStoreError(
        () => store.getSigningProfile(BOB, { profileName: 'oci' }),
        'ResourceNotFoundException',
      );
    } finally {
      renameSync(`${tokens}.pulled`, tokens);
    }
    // The module looks for tokens again at most once a second.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await lambdaJob('back.zip')).status).toBe('Succeeded');
    const r = await store.signPayload(ALICE, {
      profileName: 'oci',
      payload: notaryPayload,
      payloadFormat: NOTARY_PAYLOAD_TYPE,
    });
    expect(r.jobOwner).toBe(ALICE.accountId);
  });

  it('a master-key rotation leaves the token keys where they are; they sign on under the new key', async () => {
    const before = storedKeys();
    store.close();
    const out = join(dir, 'next.key');
    // Only sealed keys are re-sealed: here the imported IoT key (the log has no key before its first checkpoint), none of the four in the token.
    expect(
      SignerStore.rotateMasterKey({ dataDir: dir, masterKey: TEST_MASTER_KEY, out }).resealed,
    ).toBe(1);
    store = openStore(dir, {
      masterKey: new Uint8Array(Buffer.from(readFileSync(out, 'utf8').trim(), 'hex')),
      managedKeysPkcs11Uri: 'pkcs11:token=managed',
    });
    expect(storedKeys()).toEqual(before);
    const r = await store.signPayload(ALICE, {
      profileName: 'oci',
      payload: notaryPayload,
      payloadFormat: NOTARY_PAYLOAD_TYPE,
    });
    expect(r.jobOwner).toBe(ALICE.accountId);
  });

  it('reports a refused PIN once and does not try it again; refuses a URI with a PIN or an object', async () => {
    const pinFile = join(dir, 'wrong.pin');
    writeFileSync(pinFile, 'not-the-pin', { mode: 0o600 });
    const other = openStore(tempDir('managed-token-pin'), {
      managedKeysPkcs11Uri: `pkcs11:token=wrong-pin?pin-source=file:${pinFile}`,
    });
    try {
      const put = () =>
        other.putSigningProfile(ALICE, {
          profileName: 'oci',
          platformId: 'Notation-OCI-SHA384-ECDSA',
        });
      await expectStoreError(
        put,
        'InternalServiceErrorException',
        /refused the PIN \(CKR_PIN_INCORRECT\)/,
      );
      await expectStoreError(
        put,
        'InternalServiceErrorException',
        /refused this PIN before; fwsign does not try it again/,
      );
      expect(JSON.stringify(other.listSigningProfiles(ALICE))).not.toContain('not-the-pin');
    } finally {
      other.close();
      removeDir(other.dataDir);
    }
    const unused = join(dir, 'never-made');
    expect(() => openStore(unused, { managedKeysPkcs11Uri: 'pkcs11:token=managed?pin-value=1234' })).toThrow(/pin-value would show the PIN/); // prettier-ignore
    expect(() => openStore(unused, { managedKeysPkcs11Uri: 'pkcs11:token=managed;object=k' })).toThrow(/name the token only/); // prettier-ignore
  });
});
