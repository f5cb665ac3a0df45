/**
 * The store contract (store-contract.ts) as servers use it, run against each engine that
 * implements it (contract-engines.ts): answers are promises, refusals rejected promises carrying
 * the AWS code. This file: signing jobs, SignPayload, revocation, and the Signer-managed keys of
 * Lambda and Notation. Profiles, permissions, tags and certificates are in
 * store-contract-profiles.test.ts, IAM in store-contract-iam.test.ts, two stores on one
 * PostgreSQL database in store-contract-shared.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NOTARY_PAYLOAD_TYPE,
  parseSignedObject,
  verifyJwsEnvelope,
  verifyLambdaPackage,
} from '@fwsign/signing-engine';
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, enc } from './helpers.js';
import {
  allPages,
  ENGINES,
  jobInput,
  uploadFirmware,
  useContractStore,
} from './contract-engines.js';

describe.each(ENGINES)('store contract on $name: jobs and managed keys', (engine) => {
  const s = useContractStore(engine);
  let version: string;
  let profileVersionArn: string;

  it('names its engine and its region, and refuses by rejecting with the AWS exception', async () => {
    expect(s.store.engine).toBe(engine.name);
    expect(s.store.region).toBe('us-east-1');
    expect(await s.store.schemaVersion()).toBeGreaterThan(0);
    ({ profileVersionArn } = await s.store.putSigningProfile(ALICE, {
      profileName: 'contract_fw',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn: s.certificateArn },
    }));
    const call = s.store.getSigningProfile(BOB, { profileName: 'contract_fw' });
    expect(call).toBeInstanceOf(Promise);
    await expect(call).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
    await expect(s.store.buckets.getObject(ALICE.accountId, 'nope', 'k')).rejects.toMatchObject({
      code: 'NoSuchBucket',
    });
  });

  it('signs a source object; a retried token gives the same job', async () => {
    version = await uploadFirmware(s.store);
    const input = jobInput('contract_fw', version, 'contract-1');
    const { jobId } = await s.store.startSigningJob(ALICE, input);
    expect((await s.store.startSigningJob(ALICE, input)).jobId).toBe(jobId);
    // The token names the job, whatever else the retry says.
    const retry = { ...input, destination: { s3: { bucketName: 'dst', prefix: 'other/' } } };
    expect((await s.store.startSigningJob(ALICE, retry)).jobId).toBe(jobId);
    const job = await s.store.describeSigningJob(ALICE, { jobId });
    expect(job).toMatchObject({
      status: 'Succeeded',
      profileName: 'contract_fw',
      jobOwner: ALICE.accountId,
    });
    const signed = await s.store.buckets.getObject(ALICE.accountId, 'dst', `signed/${jobId}`);
    expect(parseSignedObject(signed.body).signature.length).toBeGreaterThan(0);
    const entries = await s.store.audit.entriesOfJob(jobId);
    expect(entries.map((e) => e.kind)).toContain('job.succeed');
    expect(await s.store.audit.size()).toBeGreaterThan(entries.length);
  });

  it('lists jobs newest first, a page at a time, with filters', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(
        (await s.store.startSigningJob(ALICE, jobInput('contract_fw', version, `list-${i}`))).jobId,
      );
    const seen = await allPages(async (token) => {
      const page = await s.store.listSigningJobs(ALICE, { maxResults: 2, ...token });
      return { items: page.jobs.map((j) => j.jobId), nextToken: page.nextToken };
    });
    expect(seen.slice(0, 4)).toEqual([...ids].reverse());
    expect(seen).toHaveLength(5);
    const succeeded = await s.store.listSigningJobs(ALICE, {
      status: 'Succeeded',
      platformId: 'AmazonFreeRTOS-Default',
    });
    expect(succeeded.jobs).toHaveLength(5);
    expect((await s.store.listSigningJobs(ALICE, { status: 'Failed' })).jobs).toEqual([]);
    expect(
      (await s.store.listSigningJobs(ALICE, { requestedBy: ALICE.principalArn })).jobs,
    ).toHaveLength(5);
    expect((await s.store.listSigningJobs(BOB)).jobs).toEqual([]);
    expect(
      (await s.store.listSigningJobs(ALICE, { jobInvoker: ALICE.accountId })).jobs,
    ).toHaveLength(5);
  });

  it('revokes a signature: described, listed as revoked, and named by GetRevocationStatus', async () => {
    const [jobId] = (await s.store.listSigningJobs(ALICE, { maxResults: 1 })).jobs.map(
      (j) => j.jobId,
    );
    await s.store.revokeSignature(ALICE, { jobId: jobId!, reason: 'compromised build' });
    const d = await s.store.describeSigningJob(ALICE, { jobId: jobId! });
    expect(d.revocationRecord).toMatchObject({
      reason: 'compromised build',
      revokedBy: ALICE.principalArn,
    });
    const revoked = await s.store.listSigningJobs(ALICE, { isRevoked: true });
    expect(revoked.jobs.map((j) => j.jobId)).toEqual([jobId]);
    expect((await s.store.listSigningJobs(ALICE, { isRevoked: false })).jobs).toHaveLength(4);
    const status = await s.store.getRevocationStatus(ALICE, {
      signatureTimestamp: d.completedAt!,
      platformId: d.platformId,
      profileVersionArn,
      jobArn: await s.store.jobArn(ALICE, { jobId: jobId! }),
      certificateHashes: [],
    });
    expect(status.revokedEntities).toEqual([
      `arn:aws:signer:us-east-1:${ALICE.accountId}:/signing-jobs/${jobId}`,
    ]);
    await expect(
      s.store.revokeSignature(ALICE, { jobId: 'nope', reason: 'x' }),
    ).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });

  it('lists object versions under a prefix, newest version first, a page at a time', async () => {
    const b = s.store.buckets;
    await uploadFirmware(s.store, 'outside.bin');
    await b.putObject(ALICE.accountId, 'src', 'list/a', enc('a1'));
    await b.putObject(ALICE.accountId, 'src', 'list/a', enc('a2'));
    await b.putObject(ALICE.accountId, 'src', 'list/B', enc('b1'));
    const seen: string[] = [];
    let marker: { keyMarker?: string; versionIdMarker?: string } = {};
    for (;;) {
      const page = await b.listObjectVersions(ALICE.accountId, 'src', {
        prefix: 'list/',
        maxKeys: 1,
        ...marker,
      });
      seen.push(...page.versions.map((v) => `${v.key}${v.isLatest ? '*' : ''}`));
      if (!page.isTruncated) break;
      marker = { keyMarker: page.nextKeyMarker!, versionIdMarker: page.nextVersionIdMarker! };
    }
    expect(seen).toEqual(['list/B*', 'list/a*', 'list/a']);
  });

  it('signs with Signer-managed keys: a Lambda package and a Notation payload, verified against the root', async () => {
    writeFileSync(join(s.dir, 'index.py'), 'def handler(e, c):\n    return 1\n');
    execFileSync('zip', ['-q', 'fn.zip', 'index.py'], { cwd: s.dir });
    const zip = new Uint8Array(readFileSync(join(s.dir, 'fn.zip')));
    await s.store.putSigningProfile(ALICE, {
      profileName: 'my_lambda',
      platformId: 'AWSLambda-SHA384-ECDSA',
    });
    await s.store.putSigningProfile(ALICE, {
      profileName: 'my_notary',
      platformId: 'Notation-OCI-SHA384-ECDSA',
    });
    const zipVersion = (await s.store.buckets.putObject(ALICE.accountId, 'src', 'fn.zip', zip))
      .versionId;
    const { jobId } = await s.store.startSigningJob(
      ALICE,
      jobInput('my_lambda', zipVersion, 'lambda-1', 'fn.zip'),
    );
    const d = await s.store.describeSigningJob(ALICE, { jobId });
    expect(d.status).toBe('Succeeded');
    const root = await s.store.rootCertificate(ALICE);
    const pkg = (await s.store.buckets.getObject(ALICE.accountId, 'dst', d.signedObject!.s3.key))
      .body;
    expect(verifyLambdaPackage({ pkg, trustedRoots: [root] })).toMatchObject({
      ok: true,
      reason: 'valid',
    });
    const payload = enc(
      JSON.stringify({ targetArtifact: { mediaType: 'm', digest: 'sha256:00', size: 1 } }),
    );
    const r = await s.store.signPayload(ALICE, {
      profileName: 'my_notary',
      payload,
      payloadFormat: NOTARY_PAYLOAD_TYPE,
    });
    const v = verifyJwsEnvelope({
      envelope: r.signature,
      contentType: NOTARY_PAYLOAD_TYPE,
      trustedRoots: [root],
    });
    expect(v).toMatchObject({ ok: true, reason: 'valid' });
    expect((await s.store.describeSigningJob(ALICE, { jobId: r.jobId })).status).toBe('Succeeded');
    expect(Buffer.from(await s.store.rootCertificate(ALICE)).equals(Buffer.from(root))).toBe(true);
    // Only the managed platforms' signatures expire (IoT jobs carry no signatureExpiresAt).
    const now = new Date();
    const expiring = await s.store.listSigningJobs(ALICE, { signatureExpiresAfter: now });
    expect(expiring.jobs.map((j) => j.jobId).sort()).toEqual([jobId, r.jobId].sort());
    expect((await s.store.listSigningJobs(ALICE, { signatureExpiresBefore: now })).jobs).toEqual(
      [],
    );
    await expect(
      s.store.signPayload(ALICE, {
        profileName: 'contract_fw',
        payload,
        payloadFormat: NOTARY_PAYLOAD_TYPE,
      }),
    ).rejects.toMatchObject({
      code: 'ValidationException',
      message: expect.stringContaining('Notation-OCI-SHA384-ECDSA profiles only'),
    });
  });
});
