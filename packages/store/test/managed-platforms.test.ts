import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NOTARY_PAYLOAD_TYPE,
  certificateHashes,
  inspectZip,
  verifyJwsEnvelope,
  verifyLambdaPackage,
} from '@fwsign/signing-engine';
import { SignerStore } from '../src/index.js';
import {
  ALICE,
  BOB,
  TEST_MASTER_KEY,
  enc,
  expectStoreError,
  openStore,
  removeDir,
  tempDir,
} from './helpers.js';

let dir: string;
let store: SignerStore;
let zip: Uint8Array;
const notaryPayload = enc(
  JSON.stringify({
    targetArtifact: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:73c803930ea3ba1e54bc25c2bdc53edd0284c62ed651fe7b00369da519a3c333',
      size: 16724,
    },
  }),
);

beforeAll(() => {
  dir = tempDir('managed');
  store = openStore(dir);
  for (const b of ['src', 'dst']) {
    store.buckets.createBucket(ALICE.accountId, b);
    store.buckets.putBucketVersioning(ALICE.accountId, b, 'Enabled');
  }
  writeFileSync(join(dir, 'index.py'), 'def handler(e, c):\n    return 1\n');
  execFileSync('zip', ['-q', 'fn.zip', 'index.py'], { cwd: dir });
  zip = new Uint8Array(readFileSync(join(dir, 'fn.zip')));
});
afterAll(() => {
  store?.close();
  removeDir(dir);
});

function upload(key: string, body: Uint8Array): string {
  return store.buckets.putObject(ALICE.accountId, 'src', key, body).versionId;
}

async function lambdaJob(key: string, body: Uint8Array, profileName = 'my_lambda') {
  const { jobId } = await store.startSigningJob(ALICE, {
    source: { s3: { bucketName: 'src', key, version: upload(key, body) } },
    destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
    profileName,
    clientRequestToken: `t-${key}`,
  });
  return store.describeSigningJob(ALICE, { jobId });
}

describe('Lambda and Notation profiles', () => {
  it('take no signingMaterial, default to 135 months and allow at most 135', async () => {
    const put = store.putSigningProfile(ALICE, {
      profileName: 'my_lambda',
      platformId: 'AWSLambda-SHA384-ECDSA',
      signatureValidityPeriod: { value: 10, type: 'MONTHS' },
    });
    const got = store.getSigningProfile(ALICE, { profileName: 'my_lambda' });
    expect(got.signingMaterial).toBeUndefined();
    expect(got.signatureValidityPeriod).toEqual({ value: 10, type: 'MONTHS' });
    expect(got.platformDisplayName).toBe('AWS Lambda');
    expect(got.profileVersionArn).toBe(put.profileVersionArn);
    expect('tags' in got).toBe(false);
    store.putSigningProfile(ALICE, {
      profileName: 'my_notation',
      platformId: 'Notation-OCI-SHA384-ECDSA',
    });
    expect(
      store.getSigningProfile(ALICE, { profileName: 'my_notation' }).signatureValidityPeriod,
    ).toEqual({
      value: 135,
      type: 'MONTHS',
    });
    const listed = store.listSigningProfiles(ALICE).profiles;
    expect(listed.map((p) => p.profileName)).toEqual(['my_lambda', 'my_notation']);
    expect(listed.every((p) => !('tags' in p) && !('signingMaterial' in p))).toBe(true);
    await expectStoreError(
      () =>
        store.putSigningProfile(ALICE, {
          profileName: 'too_long',
          platformId: 'AWSLambda-SHA384-ECDSA',
          signatureValidityPeriod: { value: 12, type: 'YEARS' },
        }),
      'ValidationException',
      /expected at most 135 MONTHS, got 12 YEARS/,
    );
    await expectStoreError(
      () =>
        store.putSigningProfile(ALICE, {
          profileName: 'with_cert',
          platformId: 'Notation-OCI-SHA384-ECDSA',
          signingMaterial: { certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/x' },
        }),
      'ValidationException',
      /takes? no signingMaterial/,
    );
    await expectStoreError(
      () =>
        store.putSigningProfile(ALICE, {
          profileName: 'sha256',
          platformId: 'AWSLambda-SHA384-ECDSA',
          overrides: { signingConfiguration: { hashAlgorithm: 'SHA256' } },
        }),
      'ValidationException',
      /hashAlgorithm: expected one of \[SHA384\], got "SHA256"/,
    );
  });

  it('issues keys under one root per account, sealed under the master key and re-sealed by its rotation', async () => {
    const root = store.rootCertificate(ALICE);
    expect(Buffer.from(store.rootCertificate(ALICE)).equals(Buffer.from(root))).toBe(true);
    expect(Buffer.from(store.rootCertificate(BOB)).equals(Buffer.from(root))).toBe(false);
    store.close();
    // Sealed under the master key: another key cannot open the data dir, and a rotation re-seals
    // the two CA keys of each account and each profile version's key.
    expect(() => openStore(dir, { masterKey: new Uint8Array(32).fill(9) })).toThrow(
      /not the master key/,
    );
    const out = join(dir, 'next.key');
    expect(SignerStore.rotateMasterKey({ dataDir: dir, masterKey: TEST_MASTER_KEY, out })).toEqual({
      resealed: 6,
      keyFile: out,
    });
    store = openStore(dir, {
      masterKey: new Uint8Array(Buffer.from(readFileSync(out, 'utf8').trim(), 'hex')),
    });
    const r = await store.signPayload(ALICE, {
      profileName: 'my_notation',
      payload: notaryPayload,
      payloadFormat: NOTARY_PAYLOAD_TYPE,
    });
    expect(r.jobOwner).toBe(ALICE.accountId);
  });
});

describe('Lambda signing jobs', () => {
  it('sign a ZIP that verifies against the account root and expires with the profile period', async () => {
    const d = await lambdaJob('fn.zip', zip);
    expect(d.status).toBe('Succeeded');
    expect(d.signingMaterial).toBeUndefined();
    const exp = new Date(Math.floor(d.completedAt!.getTime() / 1000) * 1000);
    exp.setUTCMonth(exp.getUTCMonth() + 10);
    expect(d.signatureExpiresAt).toEqual(exp);
    const signed = store.buckets.getObject(ALICE.accountId, 'dst', d.signedObject!.s3.key).body;
    const v = verifyLambdaPackage({ pkg: signed, trustedRoots: [store.rootCertificate(ALICE)] });
    expect(v).toMatchObject({ ok: true, reason: 'valid' });
    expect(v.attributes!.profileVersionArn).toMatch(
      /\/signing-profiles\/my_lambda\/[A-Za-z0-9]{10}$/,
    );
    expect(v.attributes!.jobArn).toBe(store.jobArn(ALICE, { jobId: d.jobId }));
    const soon = new Date(Date.now() + 86_400_000);
    expect(
      store
        .listSigningJobs(ALICE, {
          signatureExpiresAfter: soon,
          platformId: 'AWSLambda-SHA384-ECDSA',
        })
        .jobs.map((j) => j.jobId),
    ).toEqual([d.jobId]);
  });

  it('fail with a statusReason for an empty file, a non-ZIP and a signed package', async () => {
    const empty = await lambdaJob('empty.zip', new Uint8Array(0)).catch((e: Error) => e);
    // S3 stores empty objects; the job, not the API call, fails.
    expect(empty).toMatchObject({ status: 'Failed' });
    expect((empty as { statusReason: string }).statusReason).toBe(
      'Invalid Lambda deployment package: the file is empty',
    );
    expect(
      (
        await lambdaJob(
          'text.zip',
          enc('plain text, not a zip file: long enough to hold an end record'),
        )
      ).statusReason,
    ).toMatch(
      /^Invalid Lambda deployment package: not a well-formed ZIP file: no End of Central Directory/,
    );
    const first = await lambdaJob('again.zip', zip);
    const signed = store.buckets.getObject(ALICE.accountId, 'dst', first.signedObject!.s3.key).body;
    const twice = await lambdaJob('twice.zip', signed);
    expect(twice.status).toBe('Failed');
    expect(twice.statusReason).toMatch(/already signed/);
    expect(twice.signedObject).toBeUndefined();
  });
});

describe('SignPayload (Notation)', () => {
  it('returns the Notary JWS envelope and metadata naming the profile version and job', async () => {
    const r = await store.signPayload(ALICE, {
      profileName: 'my_notation',
      payload: notaryPayload,
      payloadFormat: NOTARY_PAYLOAD_TYPE,
    });
    const jobArn = store.jobArn(ALICE, { jobId: r.jobId });
    const pva = store.getSigningProfile(ALICE, { profileName: 'my_notation' }).profileVersionArn;
    expect(r.metadata).toEqual({
      'com.amazonaws.signer.signingProfileVersion': pva,
      'com.amazonaws.signer.signingJob': jobArn,
    });
    const v = verifyJwsEnvelope({
      envelope: r.signature,
      contentType: NOTARY_PAYLOAD_TYPE,
      trustedRoots: [store.rootCertificate(ALICE)],
    });
    expect(v).toMatchObject({ ok: true, reason: 'valid' });
    expect(Buffer.from(v.payload!).equals(Buffer.from(notaryPayload))).toBe(true);
    const d = store.describeSigningJob(ALICE, { jobId: r.jobId });
    expect(d.signatureExpiresAt).toEqual(v.attributes!.expiry);
    await expectStoreError(
      () =>
        store.signPayload(ALICE, {
          profileName: 'my_lambda',
          payload: notaryPayload,
          payloadFormat: NOTARY_PAYLOAD_TYPE,
        }),
      'ValidationException',
      /my_lambda is for AWSLambda-SHA384-ECDSA; SignPayload signs for Notation-OCI-SHA384-ECDSA profiles only/,
    );
    await expectStoreError(
      () =>
        store.signPayload(ALICE, {
          profileName: 'my_notation',
          payload: enc('{}'),
          payloadFormat: NOTARY_PAYLOAD_TYPE,
        }),
      'ValidationException',
      /expected a Notary payload/,
    );
    await expectStoreError(
      () =>
        store.startSigningJob(ALICE, {
          source: { s3: { bucketName: 'src', key: 'fn.zip', version: upload('n.zip', zip) } },
          destination: { s3: { bucketName: 'dst' } },
          profileName: 'my_notation',
          clientRequestToken: 'notation-job',
        }),
      'ValidationException',
      /signs with SignPayload, not signing jobs/,
    );
  });
});

describe('the transparency log of Lambda jobs and SignPayload', () => {
  /** The ES384 signature (r || s) of a JWS envelope, as the log holds it: base64. */
  const envelopeSignature = (envelope: string) =>
    Buffer.from((JSON.parse(envelope) as { signature: string }).signature, 'base64url').toString(
      'base64',
    );
  const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  it('records the payload SHA-256, the signature, the certificate fingerprint and the caller', async () => {
    const d = await lambdaJob('logged.zip', zip);
    const signed = store.buckets.getObject(ALICE.accountId, 'dst', d.signedObject!.s3.key).body;
    const v = verifyLambdaPackage({ pkg: signed, trustedRoots: [store.rootCertificate(ALICE)] });
    const comment = Buffer.from(inspectZip(signed).comment).toString('latin1');
    const lambda = store.audit.entriesOfJob(d.jobId);
    expect(lambda.map((e) => e.kind)).toEqual(['job.start', 'job.succeed']);
    expect(lambda[1]).toMatchObject({
      actor: ALICE.principalArn,
      details: {
        payloadSha256: sha256(zip),
        signature: envelopeSignature(comment.slice(comment.indexOf('{'))),
        certificateSha256: sha256(v.chainDer![0]!),
      },
    });
    const r = await store.signPayload(ALICE, {
      profileName: 'my_notation',
      payload: notaryPayload,
      payloadFormat: NOTARY_PAYLOAD_TYPE,
    });
    const envelope = Buffer.from(r.signature).toString('utf8');
    const chain = verifyJwsEnvelope({
      envelope,
      contentType: NOTARY_PAYLOAD_TYPE,
      trustedRoots: [store.rootCertificate(ALICE)],
    }).chainDer!;
    const [entry] = store.audit.entriesOfJob(r.jobId);
    expect(entry).toMatchObject({
      kind: 'payload.sign',
      actor: ALICE.principalArn,
      details: {
        payloadSha256: sha256(notaryPayload),
        signature: envelopeSignature(envelope),
        certificateSha256: sha256(chain[0]!),
      },
    });
  });
});

describe('revocation (RevokeSignature, RevokeSigningProfile, GetRevocationStatus)', () => {
  it('names revoked jobs, profile versions and their certificates; a revocation only moves earlier', async () => {
    const r = await store.signPayload(ALICE, {
      profileName: 'my_notation',
      payload: notaryPayload,
      payloadFormat: NOTARY_PAYLOAD_TYPE,
    });
    const v = verifyJwsEnvelope({
      envelope: r.signature,
      contentType: NOTARY_PAYLOAD_TYPE,
      trustedRoots: [store.rootCertificate(ALICE)],
    });
    const hashes = certificateHashes(v.chainDer!);
    const jobArn = store.jobArn(ALICE, { jobId: r.jobId });
    const p = store.getSigningProfile(ALICE, { profileName: 'my_notation' });
    const status = () =>
      store.getRevocationStatus(ALICE, {
        signatureTimestamp: v.attributes!.signingTime,
        platformId: 'Notation-OCI-SHA384-ECDSA',
        profileVersionArn: p.profileVersionArn,
        jobArn,
        certificateHashes: hashes,
      }).revokedEntities;
    expect(status()).toEqual([]);
    store.revokeSignature(ALICE, { jobId: r.jobId, reason: 'leaked build' });
    expect(status()).toEqual([jobArn]);
    const cut = new Date(Date.now() - 3600_000);
    store.revokeSigningProfile(ALICE, {
      profileName: 'my_notation',
      profileVersion: p.profileVersion,
      reason: 'key compromise',
      effectiveTime: cut,
    });
    expect(status()).toEqual([p.profileVersionArn, hashes[0], jobArn]);
    await expectStoreError(
      () =>
        store.revokeSigningProfile(ALICE, {
          profileName: 'my_notation',
          profileVersion: p.profileVersion,
          reason: 'later',
          effectiveTime: new Date(cut.getTime() + 1000),
        }),
      'ValidationException',
      /can only move that earlier/,
    );
    await expectStoreError(
      () =>
        store.addProfilePermission(ALICE, {
          profileName: 'my_lambda',
          action: 'signer:ListSigningJobs',
          principal: BOB.accountId,
          statementId: 'list',
        }),
      'ValidationException',
      /expected one of \[signer:StartSigningJob, signer:GetSigningProfile, signer:RevokeSignature, signer:SignPayload\]/,
    );
  });

  it('looks every certificate hash up on its own: any place in the chain, whichever profile version is named', async () => {
    const sign = async (profileName: string) => {
      store.putSigningProfile(BOB, { profileName, platformId: 'Notation-OCI-SHA384-ECDSA' });
      const r = await store.signPayload(BOB, {
        profileName,
        payload: notaryPayload,
        payloadFormat: NOTARY_PAYLOAD_TYPE,
      });
      const v = verifyJwsEnvelope({
        envelope: r.signature,
        contentType: NOTARY_PAYLOAD_TYPE,
        trustedRoots: [store.rootCertificate(BOB)],
      });
      const p = store.getSigningProfile(BOB, { profileName });
      return {
        p,
        hashes: certificateHashes(v.chainDer!),
        query: {
          signatureTimestamp: v.attributes!.signingTime,
          platformId: 'Notation-OCI-SHA384-ECDSA',
          profileVersionArn: p.profileVersionArn,
          jobArn: store.jobArn(BOB, { jobId: r.jobId }),
        },
      };
    };
    const a = await sign('chain_a');
    const b = await sign('chain_b');
    // One CA per account: the two chains differ in their leaf only.
    expect(a.hashes).toHaveLength(3);
    expect(a.hashes.slice(1)).toEqual(b.hashes.slice(1));
    const cut = new Date(Date.now() - 3600_000);
    store.revokeSigningProfile(BOB, {
      profileName: 'chain_a',
      profileVersion: a.p.profileVersion,
      reason: 'key compromise',
      effectiveTime: cut,
    });
    const status = (query: typeof a.query, certificateHashes: string[]) =>
      store.getRevocationStatus(ALICE, { ...query, certificateHashes }).revokedEntities;
    // B's signature, its chain: nothing revoked (the CA certificates A shares are not).
    expect(status(b.query, b.hashes)).toEqual([]);
    // A's leaf named under B's profile version and job, in any place, upper or lower case.
    const reversed = [...a.hashes].reverse();
    expect(status(b.query, reversed)).toEqual([a.hashes[0]]);
    expect(status(b.query, [b.hashes[0]!, a.hashes[0]!.toUpperCase()])).toEqual([
      a.hashes[0]!.toUpperCase(),
    ]);
    expect(status(a.query, a.hashes)).toEqual([a.p.profileVersionArn, a.hashes[0]]);
    // Signed before the effective time: neither the version nor its certificate counts.
    const before = { ...a.query, signatureTimestamp: new Date(cut.getTime() - 1000) };
    expect(status(before, a.hashes)).toEqual([]);
  });
});
