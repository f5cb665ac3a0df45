/**
 * The rules of issue 19 that platforms.test.ts and aws-data.test.ts do not reach, through
 * @aws-sdk/client-signer: validity periods, signingMaterial and StartSigningJob refused where
 * Signer manages the keys, signatureExpiresAt on Lambda and SignPayload jobs and never on IoT jobs,
 * the Lambda job's statusReasons, the four permission actions with cross-account SignPayload,
 * tag errors and RevokeSigningProfile's effective time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddProfilePermissionCommand,
  DescribeSigningJobCommand,
  GetSigningProfileCommand,
  PutSigningProfileCommand,
  RevokeSigningProfileCommand,
  SignPayloadCommand,
  SignerClient,
  StartSigningJobCommand,
  TagResourceCommand,
} from '@aws-sdk/client-signer';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DEV, REGION, acm, b64, makeCertificate, s3Client, startServer } from './helpers.js';
import type { Harness } from './helpers.js';

const NOTARY = 'application/vnd.cncf.notary.payload.v1+json';
const OTHER = { accessKeyId: 'other', secretAccessKey: 'other-secret' };
const PAYLOAD = new TextEncoder().encode(
  JSON.stringify({
    targetArtifact: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:73c803930ea3ba1e54bc25c2bdc53edd0284c62ed651fe7b00369da519a3c333',
      size: 16724,
    },
  }),
);

let h: Harness;
let tmp: string;
let signer: SignerClient;
let s3: S3Client;

const client = (credentials = DEV) =>
  new SignerClient({ endpoint: h.url, region: REGION, credentials, disableHostPrefix: true });

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  const e = await p.then(
    () => undefined,
    (x: { name: string; message: string }) => x,
  );
  expect(e, 'expected the call to fail').toBeDefined();
  return { name: e!.name, message: e!.message };
}

/** A signing job on `key` (uploaded first) and what DescribeSigningJob says when it ends. */
async function job(profileName: string, key: string, body: Uint8Array) {
  const put = await s3.send(new PutObjectCommand({ Bucket: 'src', Key: key, Body: body }));
  const { jobId } = await signer.send(
    new StartSigningJobCommand({
      source: { s3: { bucketName: 'src', key, version: put.VersionId! } },
      destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
      profileName,
      clientRequestToken: `${profileName}-${key}`,
    }),
  );
  return signer.send(new DescribeSigningJobCommand({ jobId }));
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fwsign-api-rules-'));
  h = await startServer({
    credentials: [
      { ...DEV, accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' },
      { ...OTHER, accountId: '111111111111' },
    ],
  });
  signer = client();
  s3 = s3Client(h.url);
  for (const Bucket of ['src', 'dst']) {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
}, 60_000);

afterAll(async () => {
  signer?.destroy();
  s3?.destroy();
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('Signer-managed profiles through @aws-sdk/client-signer', { timeout: 60_000 }, () => {
  it('default to 135 months, allow at most 135 months in DAYS, MONTHS or YEARS, and take no signingMaterial', async () => {
    await signer.send(
      new PutSigningProfileCommand({
        profileName: 'v_default',
        platformId: 'AWSLambda-SHA384-ECDSA',
      }),
    );
    const got = await signer.send(new GetSigningProfileCommand({ profileName: 'v_default' }));
    expect(got.signatureValidityPeriod).toEqual({ value: 135, type: 'MONTHS' });
    expect(got.tags).toBeUndefined();
    expect(got.signingMaterial).toBeUndefined();
    await signer.send(
      new PutSigningProfileCommand({
        profileName: 'v_days',
        platformId: 'Notation-OCI-SHA384-ECDSA',
        signatureValidityPeriod: { value: 4000, type: 'DAYS' },
      }),
    );
    expect(
      await failure(
        signer.send(
          new PutSigningProfileCommand({
            profileName: 'v_long',
            platformId: 'AWSLambda-SHA384-ECDSA',
            signatureValidityPeriod: { value: 12, type: 'YEARS' },
          }),
        ),
      ),
    ).toEqual({
      name: 'ValidationException',
      message: 'signatureValidityPeriod: expected at most 135 MONTHS, got 12 YEARS',
    });
    const material = await failure(
      signer.send(
        new PutSigningProfileCommand({
          profileName: 'v_material',
          platformId: 'Notation-OCI-SHA384-ECDSA',
          signingMaterial: { certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/x' },
        }),
      ),
    );
    expect(material.name).toBe('ValidationException');
    expect(material.message).toMatch(/^signingMaterial: .* takes? no signingMaterial/);
  });

  it('answers BadRequestException for an empty tag map, ValidationException for a future revocation', async () => {
    const arn = 'arn:aws:signer:us-east-1:000000000000:/signing-profiles/v_default';
    expect(
      (await failure(signer.send(new TagResourceCommand({ resourceArn: arn, tags: {} })))).name,
    ).toBe('BadRequestException');
    const p = await signer.send(new GetSigningProfileCommand({ profileName: 'v_default' }));
    const future = await failure(
      signer.send(
        new RevokeSigningProfileCommand({
          profileName: 'v_default',
          profileVersion: p.profileVersion,
          reason: 'later',
          effectiveTime: new Date(Date.now() + 3600_000),
        }),
      ),
    );
    expect(future.name).toBe('ValidationException');
    expect(future.message).toMatch(/^effectiveTime: expected a time in the past/);
  });
});

describe('jobs and their signatureExpiresAt', { timeout: 60_000 }, () => {
  it('a Lambda job carries it, fails with a statusReason for an empty or signed package, and refuses a Notation profile', async () => {
    await signer.send(
      new PutSigningProfileCommand({
        profileName: 'fn',
        platformId: 'AWSLambda-SHA384-ECDSA',
        signatureValidityPeriod: { value: 30, type: 'DAYS' },
      }),
    );
    writeFileSync(join(tmp, 'index.py'), 'def handler(e, c):\n    return 1\n');
    execFileSync('zip', ['-q', 'fn.zip', 'index.py'], { cwd: tmp });
    const ok = await job('fn', 'fn.zip', readFileSync(join(tmp, 'fn.zip')));
    expect(ok.status).toBe('Succeeded');
    // Signing time plus 30 days; completedAt is the commit's time, a moment after signing.
    const days = (ok.signatureExpiresAt!.getTime() - ok.completedAt!.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(30, 3);
    const signed = await s3.send(
      new GetObjectCommand({ Bucket: 'dst', Key: ok.signedObject!.s3!.key! }),
    );
    const again = await job('fn', 'signed.zip', await signed.Body!.transformToByteArray());
    expect([again.status, again.statusReason]).toEqual([
      'Failed',
      'Invalid Lambda deployment package: the package is already signed (its ZIP comment holds an fwsign signature)',
    ]);
    const empty = await job('fn', 'empty.zip', new Uint8Array(0));
    expect([empty.status, empty.statusReason]).toEqual([
      'Failed',
      'Invalid Lambda deployment package: the file is empty',
    ]);
    await signer.send(
      new PutSigningProfileCommand({ profileName: 'oci', platformId: 'Notation-OCI-SHA384-ECDSA' }),
    );
    const notation = await failure(job('oci', 'fn2.zip', readFileSync(join(tmp, 'fn.zip'))));
    expect(notation.name).toBe('ValidationException');
    expect(notation.message).toMatch(/signs with SignPayload, not signing jobs/);
  });

  it('a SignPayload job carries it; an IoT job does not', async () => {
    const r = await signer.send(
      new SignPayloadCommand({ profileName: 'oci', payload: PAYLOAD, payloadFormat: NOTARY }),
    );
    const described = await signer.send(new DescribeSigningJobCommand({ jobId: r.jobId }));
    expect(described.platformId).toBe('Notation-OCI-SHA384-ECDSA');
    expect(
      described.signatureExpiresAt!.getTime() - described.completedAt!.getTime(),
    ).toBeGreaterThan(134 * 30 * 86_400_000);
    const ec = makeCertificate(tmp, 'ec');
    const imported = await acm(h.url, 'ImportCertificate', {
      Certificate: b64(ec.certificate),
      PrivateKey: b64(ec.privateKey),
    });
    await signer.send(
      new PutSigningProfileCommand({
        profileName: 'rtos',
        platformId: 'AmazonFreeRTOS-Default',
        signingMaterial: { certificateArn: imported.json.CertificateArn as string },
      }),
    );
    const iot = await job('rtos', 'fw.bin', new Uint8Array(1024).fill(7));
    expect(iot.status).toBe('Succeeded');
    expect(iot).not.toHaveProperty('signatureExpiresAt');
  });
});

describe('cross-account SignPayload', { timeout: 60_000 }, () => {
  it('takes the four documented actions; signer:SignPayload lets another account sign', async () => {
    const other = client(OTHER);
    try {
      const sign = () =>
        other.send(
          new SignPayloadCommand({
            profileName: 'oci',
            profileOwner: '000000000000',
            payload: PAYLOAD,
            payloadFormat: NOTARY,
          }),
        );
      expect((await failure(sign())).name).toBe('AccessDeniedException');
      let revisionId: string | undefined;
      for (const action of [
        'signer:StartSigningJob',
        'signer:GetSigningProfile',
        'signer:RevokeSignature',
        'signer:SignPayload',
      ])
        ({ revisionId } = await signer.send(
          new AddProfilePermissionCommand({
            profileName: 'oci',
            action,
            principal: '111111111111',
            statementId: action.slice('signer:'.length),
            revisionId,
          }),
        ));
      const r = await sign();
      expect([r.jobOwner, r.metadata!['com.amazonaws.signer.signingJob']]).toEqual([
        '000000000000',
        `arn:aws:signer:us-east-1:000000000000:/signing-jobs/${r.jobId}`,
      ]);
    } finally {
      other.destroy();
    }
  });
});
