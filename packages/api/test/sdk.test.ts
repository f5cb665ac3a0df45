import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  AddProfilePermissionCommand,
  CancelSigningProfileCommand,
  DescribeSigningJobCommand,
  GetRevocationStatusCommand,
  GetSigningPlatformCommand,
  GetSigningProfileCommand,
  ListProfilePermissionsCommand,
  ListSigningJobsCommand,
  ListSigningPlatformsCommand,
  ListTagsForResourceCommand,
  PutSigningProfileCommand,
  RemoveProfilePermissionCommand,
  RevokeSignatureCommand,
  RevokeSigningProfileCommand,
  SignerClient,
  StartSigningJobCommand,
  TagResourceCommand,
  UntagResourceCommand,
  paginateListSigningProfiles,
  waitUntilSuccessfulSigningJob,
} from '@aws-sdk/client-signer';
import {
  CreateBucketCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import { parseSignedObject, verifySignedObject } from '@fwsign/signing-engine';
import {
  acm,
  b64,
  signedFetch,
  DEV,
  makeCertificate,
  REGION,
  startServer,
  type Harness,
} from './helpers.js';

let h: Harness;
let tmp: string;
let signer: SignerClient;
let s3: S3Client;
let ec: ReturnType<typeof makeCertificate>;
let certificateArn: string;
const firmware = randomBytes(64 * 1024);

const signerFor = (creds = DEV, extra: object = {}): SignerClient =>
  new SignerClient({
    endpoint: h.url,
    region: REGION,
    credentials: creds,
    disableHostPrefix: true,
    ...extra,
  });

async function rejection(
  p: Promise<unknown>,
): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'expected the call to fail').toBeDefined();
  return e as { name: string; message: string; $metadata: { httpStatusCode?: number } };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fwsign-api-sdk-'));
  h = await startServer({
    credentials: [
      {
        accessKeyId: 'test',
        secretAccessKey: 'test',
        accountId: '000000000000',
        principalArn: 'arn:aws:iam::000000000000:root',
      },
      { accessKeyId: 'other', secretAccessKey: 'other-secret', accountId: '111111111111' },
    ],
  });
  signer = signerFor();
  s3 = new S3Client({ endpoint: h.url, region: REGION, credentials: DEV, forcePathStyle: true });
  ec = makeCertificate(tmp, 'ec');
});

afterAll(async () => {
  signer?.destroy();
  s3?.destroy();
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('S3 subset with @aws-sdk/client-s3', () => {
  it('creates versioned buckets, puts and gets objects by version, lists versions', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'firmware-src' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'firmware-dst' }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: 'firmware-src',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'firmware-src' }))).Status).toBe(
      'Enabled',
    );
    const v1 = await s3.send(
      new PutObjectCommand({ Bucket: 'firmware-src', Key: 'app/fw.bin', Body: Buffer.from('old') }),
    );
    const v2 = await s3.send(
      new PutObjectCommand({ Bucket: 'firmware-src', Key: 'app/fw.bin', Body: firmware }),
    );
    expect(v1.VersionId).toMatch(/\S+/);
    expect(v2.VersionId).not.toBe(v1.VersionId);
    const old = await s3.send(
      new GetObjectCommand({ Bucket: 'firmware-src', Key: 'app/fw.bin', VersionId: v1.VersionId }),
    );
    expect(Buffer.from(await old.Body!.transformToByteArray()).toString()).toBe('old');
    const latest = await s3.send(
      new GetObjectCommand({ Bucket: 'firmware-src', Key: 'app/fw.bin' }),
    );
    expect(Buffer.from(await latest.Body!.transformToByteArray()).equals(firmware)).toBe(true);
    expect(latest.VersionId).toBe(v2.VersionId);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'firmware-src', Key: 'app/fw.bin' }),
    );
    expect(head.ContentLength).toBe(firmware.length);
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: 'firmware-src', Prefix: 'app/' }),
    );
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([
      [v2.VersionId, true],
      [v1.VersionId, false],
    ]);
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(['firmware-dst', 'firmware-src']);
  });

  it('answers S3 errors as S3 does: NoSuchKey, NotImplemented, SignatureDoesNotMatch, InvalidAccessKeyId', async () => {
    const missing = await rejection(
      s3.send(new GetObjectCommand({ Bucket: 'firmware-src', Key: 'nope' })),
    );
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['NoSuchKey', 404]);
    const ni = await rejection(
      s3.send(new DeleteObjectCommand({ Bucket: 'firmware-src', Key: 'app/fw.bin' })),
    );
    expect([ni.name, ni.$metadata.httpStatusCode]).toEqual(['NotImplemented', 501]);
    expect(ni.message).toMatch(/implements only/);
    const wrong = new S3Client({
      endpoint: h.url,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' },
      forcePathStyle: true,
    });
    expect((await rejection(wrong.send(new ListBucketsCommand({})))).name).toBe(
      'SignatureDoesNotMatch',
    );
    const unknown = new S3Client({
      endpoint: h.url,
      region: REGION,
      credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' },
      forcePathStyle: true,
    });
    expect((await rejection(unknown.send(new ListBucketsCommand({})))).name).toBe(
      'InvalidAccessKeyId',
    );
  });
});

describe('ACM ImportCertificate and friends', () => {
  it('imports a certificate and key, describes and lists it', async () => {
    const imported = await acm(h.url, 'ImportCertificate', {
      Certificate: b64(ec.certificate),
      PrivateKey: b64(ec.privateKey),
    });
    expect(imported.status).toBe(200);
    certificateArn = imported.json.CertificateArn as string;
    expect(certificateArn).toMatch(/^arn:aws:acm:us-east-1:000000000000:certificate\//);
    const described = await acm(h.url, 'DescribeCertificate', { CertificateArn: certificateArn });
    expect(described.status).toBe(200);
    expect((described.json.Certificate as Record<string, unknown>).CertificateArn).toBe(
      certificateArn,
    );
    const listed = await acm(h.url, 'ListCertificates', {});
    expect(
      (listed.json.CertificateSummaryList as Array<{ CertificateArn: string }>).map(
        (c) => c.CertificateArn,
      ),
    ).toContain(certificateArn);
  });

  it('answers awsJson1_1 errors with __type', async () => {
    const r = await acm(h.url, 'DescribeCertificate', {});
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('ValidationException');
    expect(r.json.message).toMatch(/CertificateArn/);
  });
});

describe('Signer operations with @aws-sdk/client-signer', () => {
  let jobId: string;
  let profileVersionArn: string;

  it('lists and gets signing platforms', async () => {
    const list = await signer.send(new ListSigningPlatformsCommand({}));
    expect(list.platforms?.map((p) => p.platformId)).toContain('AmazonFreeRTOS-Default');
    const p = await signer.send(
      new GetSigningPlatformCommand({ platformId: 'AmazonFreeRTOS-TI-CC3220SF' }),
    );
    expect(p.signingConfiguration?.hashAlgorithmOptions?.defaultValue).toBe('SHA1');
    const missing = await rejection(
      signer.send(new GetSigningPlatformCommand({ platformId: 'NoSuchPlatform' })),
    );
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual([
      'ResourceNotFoundException',
      404,
    ]);
  });

  it('puts and gets a profile', async () => {
    const put = await signer.send(
      new PutSigningProfileCommand({
        profileName: 'FirmwareProfile',
        platformId: 'AmazonFreeRTOS-Default',
        signingMaterial: { certificateArn },
        signatureValidityPeriod: { value: 12, type: 'MONTHS' },
        tags: { team: 'fw' },
      }),
    );
    expect(put.arn).toBe('arn:aws:signer:us-east-1:000000000000:/signing-profiles/FirmwareProfile');
    expect(put.profileVersion).toMatch(/^[a-zA-Z0-9]{10}$/);
    profileVersionArn = put.profileVersionArn!;
    const got = await signer.send(new GetSigningProfileCommand({ profileName: 'FirmwareProfile' }));
    expect(got).toMatchObject({
      profileName: 'FirmwareProfile',
      status: 'Active',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
      signatureValidityPeriod: { value: 12, type: 'MONTHS' },
      tags: { team: 'fw' },
    });
  });

  it('pages through more than 25 profiles', async () => {
    for (let i = 0; i < 30; i++) {
      await signer.send(
        new PutSigningProfileCommand({
          profileName: `Bulk_${String(i).padStart(2, '0')}`,
          platformId: 'AmazonFreeRTOS-Default',
          signingMaterial: { certificateArn },
        }),
      );
    }
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListSigningProfiles({ client: signer, pageSize: 7 }, {})) {
      pages++;
      names.push(...(page.profiles ?? []).map((p) => p.profileName!));
    }
    expect(pages).toBeGreaterThanOrEqual(5);
    expect(names.filter((n) => n.startsWith('Bulk_')).sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `Bulk_${String(i).padStart(2, '0')}`),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it('adds, lists and removes permissions; a stale revisionId is a ConflictException', async () => {
    const a = await signer.send(
      new AddProfilePermissionCommand({
        profileName: 'FirmwareProfile',
        action: 'signer:GetSigningProfile',
        principal: '222222222222',
        statementId: 'read',
      }),
    );
    expect(a.revisionId).toBeTruthy();
    const b = await signer.send(
      new AddProfilePermissionCommand({
        profileName: 'FirmwareProfile',
        action: 'signer:StartSigningJob',
        principal: '333333333333',
        statementId: 'sign',
        revisionId: a.revisionId,
      }),
    );
    const stale = await rejection(
      signer.send(
        new AddProfilePermissionCommand({
          profileName: 'FirmwareProfile',
          action: 'signer:StartSigningJob',
          principal: '444444444444',
          statementId: 'late',
          revisionId: a.revisionId,
        }),
      ),
    );
    expect([stale.name, stale.$metadata.httpStatusCode]).toEqual(['ConflictException', 409]);
    const listed = await signer.send(
      new ListProfilePermissionsCommand({ profileName: 'FirmwareProfile' }),
    );
    expect(listed.revisionId).toBe(b.revisionId);
    expect(listed.permissions?.map((p) => p.statementId).sort()).toEqual(['read', 'sign']);
    const removed = await signer.send(
      new RemoveProfilePermissionCommand({
        profileName: 'FirmwareProfile',
        statementId: 'sign',
        revisionId: b.revisionId!,
      }),
    );
    expect(removed.revisionId).not.toBe(b.revisionId);
    const staleRemove = await rejection(
      signer.send(
        new RemoveProfilePermissionCommand({
          profileName: 'FirmwareProfile',
          statementId: 'read',
          revisionId: b.revisionId!,
        }),
      ),
    );
    expect(staleRemove.name).toBe('ConflictException');
  });

  it('starts a job, waits for it, and the signed object verifies with the engine and with OpenSSL', async () => {
    const src = await s3.send(
      new PutObjectCommand({ Bucket: 'firmware-src', Key: 'app/fw.bin', Body: firmware }),
    );
    const started = await signer.send(
      new StartSigningJobCommand({
        source: { s3: { bucketName: 'firmware-src', key: 'app/fw.bin', version: src.VersionId! } },
        destination: { s3: { bucketName: 'firmware-dst', prefix: 'signed/' } },
        profileName: 'FirmwareProfile',
        clientRequestToken: 'token-1',
      }),
    );
    jobId = started.jobId!;
    expect(started.jobOwner).toBe('000000000000');
    const waited = await waitUntilSuccessfulSigningJob(
      { client: signer, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { jobId },
    );
    expect(waited.state).toBe('SUCCESS');
    const job = await signer.send(new DescribeSigningJobCommand({ jobId }));
    expect(job).toMatchObject({
      jobId,
      status: 'Succeeded',
      profileName: 'FirmwareProfile',
      platformId: 'AmazonFreeRTOS-Default',
      jobOwner: '000000000000',
      jobInvoker: '000000000000',
    });
    expect(job.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(job.createdAt!.getTime() - Date.now())).toBeLessThan(60_000);
    const out = job.signedObject!.s3!;
    expect(out.bucketName).toBe('firmware-dst');
    const signed = await s3.send(new GetObjectCommand({ Bucket: out.bucketName!, Key: out.key! }));
    const signedBytes = await signed.Body!.transformToByteArray();
    const verdict = await verifySignedObject({
      signedObject: signedBytes,
      payload: firmware,
      certificate: ec.certificate,
    });
    expect(verdict).toMatchObject({ ok: true, reason: 'valid' });

    const parsed = parseSignedObject(signedBytes);
    writeFileSync(join(tmp, 'payload.bin'), firmware);
    writeFileSync(join(tmp, 'sig.der'), parsed.signature);
    execFileSync('openssl', [
      'x509',
      '-in',
      ec.certFile,
      '-pubkey',
      '-noout',
      '-out',
      join(tmp, 'pub.pem'),
    ]);
    const ok = execFileSync(
      'openssl',
      [
        'dgst',
        '-sha256',
        '-verify',
        join(tmp, 'pub.pem'),
        '-signature',
        join(tmp, 'sig.der'),
        join(tmp, 'payload.bin'),
      ],
      { encoding: 'utf8' },
    );
    expect(ok.trim()).toBe('Verified OK');
  });

  it('lists jobs with filters', async () => {
    const all = await signer.send(
      new ListSigningJobsCommand({ status: 'Succeeded', platformId: 'AmazonFreeRTOS-Default' }),
    );
    expect(all.jobs?.map((j) => j.jobId)).toContain(jobId);
    const none = await signer.send(new ListSigningJobsCommand({ status: 'Failed' }));
    expect(none.jobs ?? []).toEqual([]);
  });

  it('revokes a signature and reports it through GetRevocationStatus', async () => {
    await signer.send(new RevokeSignatureCommand({ jobId, reason: 'leaked build' }));
    const job = await signer.send(new DescribeSigningJobCommand({ jobId }));
    expect(job.revocationRecord?.reason).toBe('leaked build');
    const jobArn = `arn:aws:signer:us-east-1:000000000000:/signing-jobs/${jobId}`;
    const status = await signer.send(
      new GetRevocationStatusCommand({
        signatureTimestamp: new Date(),
        platformId: 'AmazonFreeRTOS-Default',
        profileVersionArn,
        jobArn,
        certificateHashes: ['00'],
      }),
    );
    expect(status.revokedEntities).toContain(jobArn);
  });

  it('tags, lists tags and untags a profile', async () => {
    const arn = 'arn:aws:signer:us-east-1:000000000000:/signing-profiles/FirmwareProfile';
    await signer.send(new TagResourceCommand({ resourceArn: arn, tags: { stage: 'prod' } }));
    expect((await signer.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      team: 'fw',
      stage: 'prod',
    });
    await signer.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
    expect((await signer.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      stage: 'prod',
    });
  });

  it('revokes one profile and cancels another', async () => {
    await signer.send(
      new RevokeSigningProfileCommand({
        profileName: 'Bulk_00',
        profileVersion: (
          await signer.send(new GetSigningProfileCommand({ profileName: 'Bulk_00' }))
        ).profileVersion!,
        reason: 'rotated',
        effectiveTime: new Date(Date.now() - 1000),
      }),
    );
    expect(
      (await signer.send(new GetSigningProfileCommand({ profileName: 'Bulk_00' }))).status,
    ).toBe('Revoked');
    await signer.send(new CancelSigningProfileCommand({ profileName: 'Bulk_01' }));
    expect(
      (await signer.send(new GetSigningProfileCommand({ profileName: 'Bulk_01' }))).status,
    ).toBe('Canceled');
  });

  it('refuses deleting a certificate an Active profile uses (ResourceInUseException)', async () => {
    const r = await acm(h.url, 'DeleteCertificate', { CertificateArn: certificateArn });
    expect(r.json.__type).toBe('ResourceInUseException');
  });
});

describe('cross-account signing through profile permissions', () => {
  it('refuses the second account StartSigningJob until a permission grants it', async () => {
    const other = signerFor({ accessKeyId: 'other', secretAccessKey: 'other-secret' });
    const otherS3 = new S3Client({
      endpoint: h.url,
      region: REGION,
      credentials: { accessKeyId: 'other', secretAccessKey: 'other-secret' },
      forcePathStyle: true,
    });
    await otherS3.send(new CreateBucketCommand({ Bucket: 'other-src' }));
    await otherS3.send(
      new PutBucketVersioningCommand({
        Bucket: 'other-src',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    const put = await otherS3.send(
      new PutObjectCommand({ Bucket: 'other-src', Key: 'fw.bin', Body: firmware }),
    );
    const start = (token: string) =>
      other.send(
        new StartSigningJobCommand({
          source: { s3: { bucketName: 'other-src', key: 'fw.bin', version: put.VersionId! } },
          destination: { s3: { bucketName: 'other-src', prefix: 'signed/' } },
          profileName: 'FirmwareProfile',
          profileOwner: '000000000000',
          clientRequestToken: token,
        }),
      );
    const denied = await rejection(start('t1'));
    expect([denied.name, denied.$metadata.httpStatusCode]).toEqual(['AccessDeniedException', 403]);
    const current = await signer.send(
      new ListProfilePermissionsCommand({ profileName: 'FirmwareProfile' }),
    );
    await signer.send(
      new AddProfilePermissionCommand({
        profileName: 'FirmwareProfile',
        action: 'signer:StartSigningJob',
        principal: '111111111111',
        statementId: 'other-can-sign',
        revisionId: current.revisionId,
      }),
    );
    const ok = await start('t2');
    expect(ok.jobOwner).toBe('000000000000');
    const waited = await waitUntilSuccessfulSigningJob(
      { client: other, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { jobId: ok.jobId!, jobOwner: '000000000000' } as never,
    );
    expect(waited.state).toBe('SUCCESS');
    other.destroy();
    otherS3.destroy();
  });
});

describe('validation and authentication errors, as the SDK sees them', () => {
  it('names the missing member and the bad enum value', async () => {
    const missing = await rejection(
      signer.send(new PutSigningProfileCommand({ profileName: 'NoPlatform' } as never)),
    );
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['ValidationException', 400]);
    expect(missing.message).toMatch(/'platformId'.*must not be null/);
    const badEnum = await rejection(
      signer.send(
        new PutSigningProfileCommand({
          profileName: 'BadEnum',
          platformId: 'AmazonFreeRTOS-Default',
          signatureValidityPeriod: { value: 1, type: 'WEEKS' as never },
        }),
      ),
    );
    expect(badEnum.message).toMatch(/'signatureValidityPeriod.type'.*\[DAYS, MONTHS, YEARS\]/);
    const badName = await rejection(
      signer.send(new GetSigningProfileCommand({ profileName: 'has-dash' })),
    );
    // The model's pattern is unanchored at the end, so the store's stricter check answers.
    expect([badName.name, badName.message]).toEqual([
      'ValidationException',
      'profileName: expected 2-64 characters of [a-zA-Z0-9_], got "has-dash"',
    ]);
  });

  it('answers a wrong secret, an unknown key and a skewed clock with 403 and the codes the SDK expects', async () => {
    const wrong = await rejection(
      signerFor({ accessKeyId: 'test', secretAccessKey: 'nope' }).send(
        new ListSigningPlatformsCommand({}),
      ),
    );
    expect([wrong.name, wrong.$metadata.httpStatusCode]).toEqual([
      'InvalidSignatureException',
      403,
    ]);
    const unknown = await rejection(
      signerFor({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }).send(
        new ListSigningPlatformsCommand({}),
      ),
    );
    expect([unknown.name, unknown.$metadata.httpStatusCode]).toEqual([
      'UnrecognizedClientException',
      403,
    ]);
    const skewed = await rejection(
      signerFor(DEV, { systemClockOffset: -20 * 60_000, maxAttempts: 1 }).send(
        new ListSigningPlatformsCommand({}),
      ),
    );
    expect([skewed.name, skewed.$metadata.httpStatusCode]).toEqual([
      'InvalidSignatureException',
      403,
    ]);
    expect(skewed.message).toMatch(/Signature expired/);
  });

  it('answers an unsigned request with MissingAuthenticationTokenException and malformed JSON without dying', async () => {
    const res = await fetch(`${h.url}/signing-profiles`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    const garbage = await signedFetch(h.url, {
      method: 'POST',
      path: '/signing-jobs',
      service: 'signer',
      body: '{"source":',
      headers: { 'content-type': 'application/json' },
    });
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(((await garbage.json()) as { message: string }).message).toMatch(/not valid JSON/);
    const wrongType = await signedFetch(h.url, {
      method: 'PUT',
      path: '/signing-profiles/Typed',
      service: 'signer',
      body: '{"platformId":7}',
      headers: { 'content-type': 'application/json' },
    });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { message: string }).message).toMatch(
      /'platformId' failed to satisfy constraint: Member must be of type string, got number/,
    );
    // The server still answers after those.
    expect(
      (await signer.send(new ListSigningPlatformsCommand({}))).platforms?.length,
    ).toBeGreaterThan(0);
  });

  it('writes one access-log line per request, without secrets', () => {
    const line = h.log.find((l) => l.includes('signer:PutSigningProfile 200'));
    expect(line).toMatch(
      /^\S+Z [0-9a-f-]{36} signer:PutSigningProfile 200 [\d.]+ms account=000000000000$/,
    );
    expect(h.log.join('\n')).not.toMatch(/other-secret|Signature=/);
  });
});
