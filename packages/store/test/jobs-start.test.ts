// StartSigningJob (own and cross-account), then ListSigningJobs over the jobs it made.
import { describe, expect, it } from 'vitest';
import { SIGNING_SUCCEEDED } from '../src/index.js';
import { ALICE, BOB, CAROL, enc, expectStoreError } from './helpers.js';
import {
  UUID,
  ec,
  firmware,
  jobInput,
  opensslVerifies,
  reopenStore,
  rsa,
  setup,
  srcVersion,
  store,
  useJobsStore,
} from './jobs-fixture.js';

useJobsStore();

describe('StartSigningJob', () => {
  it('signs the source version, writes prefix + jobId to the destination, records Succeeded', async () => {
    const before = Date.now();
    const { jobId, jobOwner } = await store.startSigningJob(ALICE, jobInput('t-basic'));
    expect(jobId).toMatch(UUID);
    expect(jobOwner).toBe(ALICE.accountId);
    const d = store.describeSigningJob(ALICE, { jobId });
    expect(d.status).toBe('Succeeded');
    expect(d.statusReason).toBe(SIGNING_SUCCEEDED);
    expect(d.statusReason).toBe('Signing Succeeded');
    expect(d.signedObject).toEqual({ s3: { bucketName: 'dst-bucket', key: `signed/${jobId}` } });
    expect(d.source).toEqual({
      s3: { bucketName: 'src-bucket', key: 'fw/app.bin', version: srcVersion },
    });
    expect(d.signingMaterial).toEqual({ certificateArn: setup.certificateArn });
    expect(d.platformId).toBe('AmazonFreeRTOS-Default');
    expect(d.platformDisplayName).toBe('Amazon FreeRTOS SHA256-ECDSA');
    expect(d.profileName).toBe('fw_profile');
    expect(d.profileVersion).toBe(setup.profileVersion);
    expect(d.requestedBy).toBe(ALICE.principalArn);
    expect(d.jobOwner).toBe(ALICE.accountId);
    expect(d.jobInvoker).toBe(ALICE.accountId);
    expect(d.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(d.completedAt!.getTime()).toBeGreaterThanOrEqual(d.createdAt.getTime());
    // signatureValidityPeriod applies to Lambda and Notation only: an IoT job carries no expiry.
    expect(d.signatureExpiresAt).toBeUndefined();
    expect(d.revocationRecord).toBeUndefined();

    const obj = store.buckets.getObject(ALICE.accountId, 'dst-bucket', `signed/${jobId}`);
    const v = opensslVerifies(obj.body, ec, 'sha256');
    expect(v.ok).toBe(true);
    expect(Buffer.from(v.payload).equals(Buffer.from(firmware))).toBe(true);
  });

  it('is idempotent per account on clientRequestToken, across a restart', async () => {
    const a = await store.startSigningJob(ALICE, jobInput('t-idem'));
    const b = await store.startSigningJob(ALICE, jobInput('t-idem'));
    expect(b.jobId).toBe(a.jobId);
    const [c, d] = await Promise.all([
      store.startSigningJob(ALICE, jobInput('t-idem-2')),
      store.startSigningJob(ALICE, jobInput('t-idem-2')),
    ]);
    expect(c.jobId).toBe(d.jobId);
    reopenStore();
    const e = await store.startSigningJob(ALICE, jobInput('t-idem'));
    expect(e.jobId).toBe(a.jobId);
    const versions = store.buckets.listObjectVersions(ALICE.accountId, 'dst-bucket', {
      prefix: `signed/${a.jobId}`,
    });
    expect(versions.versions).toHaveLength(1);
  });

  it('refuses an unversioned source bucket and a missing source version', async () => {
    store.buckets.createBucket(ALICE.accountId, 'plain-bucket');
    const v = store.buckets.putObject(
      ALICE.accountId,
      'plain-bucket',
      'fw.bin',
      firmware,
    ).versionId;
    expect(v).toBe('null');
    await expectStoreError(
      () =>
        store.startSigningJob(
          ALICE,
          jobInput('t-unver', {
            source: { s3: { bucketName: 'plain-bucket', key: 'fw.bin', version: v } },
          }),
        ),
      'ValidationException',
      /source\.s3\.bucketName: bucket "plain-bucket" must have versioning enabled/,
    );
    const e = await expectStoreError(
      () =>
        store.startSigningJob(
          ALICE,
          jobInput('t-nover', {
            source: { s3: { bucketName: 'src-bucket', key: 'fw/app.bin', version: 'nope' } },
          }),
        ),
      'ResourceNotFoundException',
      /source\.s3\.version: version "nope" of "fw\/app\.bin" does not exist/,
    );
    expect(e.httpStatus).toBe(404);
    await expectStoreError(
      () =>
        store.startSigningJob(
          ALICE,
          jobInput('t-nobucket', {
            source: { s3: { bucketName: 'no-such-bucket', key: 'k', version: 'v' } },
          }),
        ),
      'ResourceNotFoundException',
      /bucket "no-such-bucket" does not exist/,
    );
    await expectStoreError(
      () => store.startSigningJob(ALICE, jobInput('')),
      'ValidationException',
      /clientRequestToken: expected a non-empty string/,
    );
    await expectStoreError(
      () => store.startSigningJob(ALICE, jobInput('t-noprof', { profileName: 'nope_nope' })),
      'ResourceNotFoundException',
      /profileName: signing profile "nope_nope" does not exist/,
    );
  });

  it('records jobs that fail (over the platform size limit, missing destination) as Failed with a reason', async () => {
    const big = new Uint8Array(16 * 1024 * 1024 + 1);
    const bigVersion = store.buckets.putObject(
      ALICE.accountId,
      'src-bucket',
      'big.bin',
      big,
    ).versionId;
    const { jobId } = await store.startSigningJob(
      ALICE,
      jobInput('t-big', {
        source: { s3: { bucketName: 'src-bucket', key: 'big.bin', version: bigVersion } },
      }),
    );
    const d = store.describeSigningJob(ALICE, { jobId });
    expect(d.status).toBe('Failed');
    expect(d.statusReason).toBe(
      'Source object is 16777217 bytes, over the AmazonFreeRTOS-Default platform limit of 16777216 bytes (16 MB)',
    );
    expect(d.signedObject).toBeUndefined();
    expect(d.signatureExpiresAt).toBeUndefined();
    expect(
      store.buckets.listObjectVersions(ALICE.accountId, 'dst-bucket', { prefix: `signed/${jobId}` })
        .versions,
    ).toHaveLength(0);

    const miss = await store.startSigningJob(
      ALICE,
      jobInput('t-nodst', { destination: { s3: { bucketName: 'missing-dst' } } }),
    );
    const m = store.describeSigningJob(ALICE, { jobId: miss.jobId });
    expect(m.status).toBe('Failed');
    expect(m.statusReason).toBe('Destination bucket missing-dst does not exist');
    // The failed job is idempotent too.
    expect((await store.startSigningJob(ALICE, jobInput('t-nodst'))).jobId).toBe(miss.jobId);
  });

  it('refuses Canceled and Revoked profiles', async () => {
    const p = store.putSigningProfile(ALICE, {
      profileName: 'short_lived',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn: setup.certificateArn },
    });
    store.cancelSigningProfile(ALICE, { profileName: 'short_lived' });
    await expectStoreError(
      () => store.startSigningJob(ALICE, jobInput('t-canc', { profileName: 'short_lived' })),
      'ValidationException',
      /signing profile short_lived is Canceled; only an Active profile can sign/,
    );
    store.putSigningProfile(ALICE, {
      profileName: 'revoked_one',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn: setup.certificateArn },
    });
    const rv = store.getSigningProfile(ALICE, { profileName: 'revoked_one' }).profileVersion;
    store.revokeSigningProfile(ALICE, {
      profileName: 'revoked_one',
      profileVersion: rv,
      reason: 'key leaked',
      effectiveTime: new Date(Date.now() - 1000),
    });
    await expectStoreError(
      () => store.startSigningJob(ALICE, jobInput('t-rev', { profileName: 'revoked_one' })),
      'ValidationException',
      /is Revoked/,
    );
    expect(p.profileVersion).toMatch(/^[a-zA-Z0-9]{10}$/);
  });

  it('signs with SHA1withRSA on the CC3220SF platform, verified by OpenSSL', async () => {
    const { certificateArn } = store.importCertificate(ALICE, {
      certificate: enc(rsa.certPem),
      privateKey: enc(rsa.keyPem),
    });
    store.putSigningProfile(ALICE, {
      profileName: 'ti_profile',
      platformId: 'AmazonFreeRTOS-TI-CC3220SF',
      signingMaterial: { certificateArn },
    });
    const { jobId } = await store.startSigningJob(
      ALICE,
      jobInput('t-rsa', { profileName: 'ti_profile' }),
    );
    const obj = store.buckets.getObject(ALICE.accountId, 'dst-bucket', `signed/${jobId}`);
    expect(opensslVerifies(obj.body, rsa, 'sha1').ok).toBe(true);
  });
});

describe('cross-account jobs', () => {
  it('needs signer:StartSigningJob granted to the invoker; records owner and invoker', async () => {
    store.buckets.createBucket(BOB.accountId, 'bob-src');
    store.buckets.putBucketVersioning(BOB.accountId, 'bob-src', 'Enabled');
    store.buckets.createBucket(BOB.accountId, 'bob-dst');
    const v = store.buckets.putObject(BOB.accountId, 'bob-src', 'fw.bin', firmware).versionId;
    const input = {
      source: { s3: { bucketName: 'bob-src', key: 'fw.bin', version: v } },
      destination: { s3: { bucketName: 'bob-dst' } },
      profileName: 'fw_profile',
      profileOwner: ALICE.accountId,
      clientRequestToken: 'bob-1',
    };
    await expectStoreError(
      () => store.startSigningJob(BOB, input),
      'AccessDeniedException',
      /arn:aws:iam::222222222222:user\/bob is not authorized to perform signer:StartSigningJob on arn:aws:signer:us-east-1:111111111111:\/signing-profiles\/fw_profile/,
    );
    store.addProfilePermission(ALICE, {
      profileName: 'fw_profile',
      action: 'signer:StartSigningJob',
      principal: BOB.accountId,
      statementId: 'bob-sign',
    });
    const { jobId, jobOwner } = await store.startSigningJob(BOB, input);
    expect(jobOwner).toBe(ALICE.accountId);
    const d = store.describeSigningJob(BOB, { jobId });
    expect(d.jobOwner).toBe(ALICE.accountId);
    expect(d.jobInvoker).toBe(BOB.accountId);
    expect(d.signedObject).toEqual({ s3: { bucketName: 'bob-dst', key: jobId } });
    expect(store.buckets.getObject(BOB.accountId, 'bob-dst', jobId).contentLength).toBeGreaterThan(
      firmware.length,
    );
    // The owner sees it too; a third account does not.
    expect(store.describeSigningJob(ALICE, { jobId }).jobInvoker).toBe(BOB.accountId);
    await expectStoreError(
      () => store.describeSigningJob(CAROL, { jobId }),
      'ResourceNotFoundException',
      /signing job ".*" does not exist/,
    );
  });
});

describe('ListSigningJobs', () => {
  it('applies all nine filters and paginates with a tamper-proof token', async () => {
    const all = store.listSigningJobs(ALICE, { maxResults: 25 }).jobs;
    expect(all.length).toBeGreaterThan(5);
    // Newest first.
    expect(all.map((j) => j.createdAt.getTime())).toEqual(
      [...all.map((j) => j.createdAt.getTime())].sort((a, b) => b - a),
    );
    expect(
      store.listSigningJobs(ALICE, { status: 'Failed' }).jobs.every((j) => j.status === 'Failed'),
    ).toBe(true);
    expect(store.listSigningJobs(ALICE, { status: 'Failed' }).jobs).toHaveLength(2);
    expect(
      store.listSigningJobs(ALICE, { platformId: 'AmazonFreeRTOS-TI-CC3220SF' }).jobs,
    ).toHaveLength(1);
    expect(store.listSigningJobs(ALICE, { requestedBy: BOB.principalArn }).jobs).toHaveLength(1);
    expect(store.listSigningJobs(ALICE, { jobInvoker: BOB.accountId }).jobs).toHaveLength(1);
    expect(store.listSigningJobs(BOB, {}).jobs).toHaveLength(1);
    const succeeded = store.listSigningJobs(ALICE, { status: 'Succeeded' }).jobs;
    const soon = new Date(Date.now() + 24 * 3600_000);
    // IoT jobs carry no signatureExpiresAt, so neither expiry filter matches them (Lambda jobs: managed-platforms.test.ts).
    expect(store.listSigningJobs(ALICE, { signatureExpiresBefore: soon }).jobs).toHaveLength(0);
    expect(store.listSigningJobs(ALICE, { signatureExpiresAfter: soon }).jobs).toHaveLength(0);
    const target = succeeded[0]!;
    store.revokeSignature(ALICE, { jobId: target.jobId, reason: 'bad build' });
    expect(store.listSigningJobs(ALICE, { isRevoked: true }).jobs.map((j) => j.jobId)).toEqual([
      target.jobId,
    ]);
    expect(
      store.listSigningJobs(ALICE, { isRevoked: false }).jobs.map((j) => j.jobId),
    ).not.toContain(target.jobId);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = store.listSigningJobs(ALICE, {
        maxResults: 2,
        ...(token ? { nextToken: token } : {}),
      });
      expect(page.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...page.jobs.map((j) => j.jobId));
      token = page.nextToken;
      pages++;
    } while (token && pages < 50);
    expect(seen).toEqual(all.map((j) => j.jobId));

    const first = store.listSigningJobs(ALICE, { maxResults: 1 });
    const t = first.nextToken!;
    const tampered = `${t.slice(0, 5)}${t[5] === 'A' ? 'B' : 'A'}${t.slice(6)}`;
    await expectStoreError(
      () => store.listSigningJobs(ALICE, { maxResults: 1, nextToken: tampered }),
      'ValidationException',
      /nextToken: invalid token for ListSigningJobs/,
    );
    await expectStoreError(
      () => store.listSigningJobs(ALICE, { maxResults: 1, status: 'Failed', nextToken: t }),
      'ValidationException',
      /nextToken: invalid token/,
    );
    await expectStoreError(
      () => store.listSigningJobs(BOB, { maxResults: 1, nextToken: t }),
      'ValidationException',
      /nextToken: invalid token/,
    );
    await expectStoreError(
      () => store.listSigningJobs(ALICE, { maxResults: 26 }),
      'ValidationException',
      /maxResults: expected an integer from 1 to 25, got 26/,
    );
    await expectStoreError(
      () => store.listSigningJobs(ALICE, { maxResults: 0 }),
      'ValidationException',
      /maxResults/,
    );
  });
});
