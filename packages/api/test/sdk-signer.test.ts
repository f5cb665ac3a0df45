// Signer's operations with @aws-sdk/client-signer, in the order a user meets them.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseSignedObject, verifySignedObject } from '@fwsign/signing-engine';
import { acm, type Harness } from './helpers.js';
import {
  bucket,
  importCertificate,
  rejection,
  useSdkServer,
  type SdkFixture,
} from './sdk-fixture.js';

const fx = useSdkServer();
let h: Harness;
let tmp: string;
let signer: SignerClient;
let s3: S3Client;
let ec: SdkFixture['ec'];
let certificateArn: string;
const firmware = randomBytes(64 * 1024);
beforeAll(async () => {
  ({ h, tmp, signer, s3, ec } = fx);
  certificateArn = await importCertificate(fx);
  await bucket(fx, 'firmware-src', true);
  await bucket(fx, 'firmware-dst');
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
