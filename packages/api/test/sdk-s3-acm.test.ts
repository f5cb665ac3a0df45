// The S3 subset and ACM's operations, as @aws-sdk/client-s3 and awsJson1_1 calls see them.
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
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
import { acm, b64, REGION, type Harness } from './helpers.js';
import { rejection, useSdkServer, type SdkFixture } from './sdk-fixture.js';

const fx = useSdkServer();
let h: Harness;
let s3: S3Client;
let ec: SdkFixture['ec'];
let certificateArn: string;
const firmware = randomBytes(64 * 1024);
beforeAll(() => {
  ({ h, s3, ec } = fx);
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
