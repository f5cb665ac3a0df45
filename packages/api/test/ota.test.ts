import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  DescribeSigningJobCommand,
  RevokeSignatureCommand,
  SignerClient,
  StartSigningJobCommand,
  waitUntilSuccessfulSigningJob,
} from '@aws-sdk/client-signer';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { buildOtaJobDocument, parseSignedObject } from '@fwsign/signing-engine';
import { DEV, REGION, signedFetch, type Harness } from './helpers.js';
import { bucket, freeRtosProfile, importCertificate, OTHER, useSdkServer } from './sdk-fixture.js';

// fwsign's OTA job document route: GET /_fwsign/signing-jobs/{jobId}/ota-job-document.
const FILE = { filepath: '/firmware/update.bin', certfile: '/certs/codesign.crt' };

const fx = useSdkServer();
let h: Harness;
let jobId: string;
let signedBytes: Uint8Array;

const otaPath = (id: string): string =>
  `/_fwsign/signing-jobs/${encodeURIComponent(id)}/ota-job-document`;

async function getDocument(
  id: string,
  query: Record<string, string>,
  creds = DEV,
): Promise<{ status: number; code: string | null; body: string }> {
  const res = await signedFetch(h.url, {
    method: 'GET',
    path: otaPath(id),
    service: 'signer',
    query,
    creds,
  });
  return { status: res.status, code: res.headers.get('x-amzn-errortype'), body: await res.text() };
}

beforeAll(async () => {
  h = fx.h;
  const { signer, s3 } = fx;
  await freeRtosProfile(fx, 'OtaProfile', await importCertificate(fx));
  await bucket(fx, 'ota-src', true);
  await bucket(fx, 'ota-dst');
  const src = await s3.send(
    new PutObjectCommand({ Bucket: 'ota-src', Key: 'fw.bin', Body: randomBytes(4096) }),
  );
  const started = await signer.send(
    new StartSigningJobCommand({
      source: { s3: { bucketName: 'ota-src', key: 'fw.bin', version: src.VersionId! } },
      destination: { s3: { bucketName: 'ota-dst', prefix: 'signed/' } },
      profileName: 'OtaProfile',
    }),
  );
  jobId = started.jobId!;
  await waitUntilSuccessfulSigningJob(
    { client: signer, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
    { jobId },
  );
  const job = await signer.send(new DescribeSigningJobCommand({ jobId }));
  const object = await s3.send(
    new GetObjectCommand({ Bucket: 'ota-dst', Key: job.signedObject!.s3!.key! }),
  );
  signedBytes = await object.Body!.transformToByteArray();
});

describe('GET /_fwsign/signing-jobs/{jobId}/ota-job-document', () => {
  it('answers the document the engine builds from the job’s signed object, as compact JSON', async () => {
    const r = await getDocument(jobId, { ...FILE, streamname: `AFR_OTA-${jobId}` });
    expect(r.status).toBe(200);
    const want = buildOtaJobDocument({
      files: [
        { signedObject: parseSignedObject(signedBytes), ...FILE, streamname: `AFR_OTA-${jobId}` },
      ],
    });
    expect(r.body).toBe(JSON.stringify(want));
    // Over HTTP, with a file type: the query's options reach the builder.
    const http = await getDocument(jobId, {
      ...FILE,
      protocol: 'HTTP',
      fileType: '7',
      updateDataUrl: 'https://updates.example/fw.bin',
    });
    expect(http.status).toBe(200);
    expect(http.body).toBe(
      JSON.stringify(
        buildOtaJobDocument({
          files: [
            {
              signedObject: parseSignedObject(signedBytes),
              ...FILE,
              fileType: 7,
              updateDataUrl: 'https://updates.example/fw.bin',
            },
          ],
          protocols: ['HTTP'],
        }),
      ),
    );
    expect(http.body).toContain('"update_data_url":"https://updates.example/fw.bin"');
  });

  it('is SigV4-authenticated and shows a job only to whom DescribeSigningJob shows it', async () => {
    const unsigned = await fetch(`${h.url}${otaPath(jobId)}?filepath=a&certfile=b`);
    expect([unsigned.status, unsigned.headers.get('x-amzn-errortype')]).toEqual([
      403,
      'MissingAuthenticationTokenException',
    ]);
    const wrong = await getDocument(jobId, FILE, { accessKeyId: 'test', secretAccessKey: 'x' });
    expect([wrong.status, wrong.code]).toEqual([403, 'InvalidSignatureException']);
    // Account 111111111111 neither owns the profile nor started the job: not found, as Describe.
    const other = await getDocument(jobId, { ...FILE, protocol: 'HTTP' }, OTHER);
    expect([other.status, other.code]).toEqual([404, 'ResourceNotFoundException']);
    const described = new SignerClient({
      endpoint: h.url,
      region: REGION,
      credentials: OTHER,
      maxAttempts: 1,
    });
    await expect(described.send(new DescribeSigningJobCommand({ jobId }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    described.destroy();
  });

  it('answers an unknown job 404 and a bad query 400, AWS-shaped', async () => {
    const missing = await getDocument('00000000-0000-4000-8000-000000000000', {
      ...FILE,
      protocol: 'HTTP',
    });
    expect([missing.status, missing.code]).toEqual([404, 'ResourceNotFoundException']);
    expect(JSON.parse(missing.body)).toEqual({
      message: expect.stringContaining('00000000-0000-4000-8000-000000000000') as string,
    });
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ certfile: FILE.certfile, streamname: 's' }, /filepath: expected the file path/],
      [{ ...FILE, streamname: 's', colour: 'blue' }, /"colour": unknown query parameter/],
      [{ ...FILE, protocol: 'FTP' }, /protocol: expected MQTT or HTTP, got "FTP"/],
      [{ ...FILE, streamname: 's', fileType: '256' }, /fileType: expected an integer 0\.\.255/],
      [{ ...FILE, streamname: 'a/b' }, /streamname/],
      [FILE, /MQTT protocol expected a streamname/],
    ];
    for (const [query, message] of cases) {
      const r = await getDocument(jobId, query);
      expect([r.status, r.code], JSON.stringify(query)).toEqual([400, 'ValidationException']);
      expect((JSON.parse(r.body) as { message: string }).message).toMatch(message);
    }
    const post = await signedFetch(h.url, {
      method: 'POST',
      path: otaPath(jobId),
      service: 'signer',
    });
    expect([post.status, post.headers.get('x-amzn-errortype')]).toEqual([
      404,
      'UnknownOperationException',
    ]);
  });

  it('refuses a job whose signature was revoked: devices must not be sent it', async () => {
    await fx.signer.send(new RevokeSignatureCommand({ jobId, reason: 'key rotation drill' }));
    const r = await getDocument(jobId, { ...FILE, protocol: 'HTTP' });
    expect([r.status, r.code]).toEqual([409, 'ConflictException']);
    expect((JSON.parse(r.body) as { message: string }).message).toMatch(
      /was revoked at .* \(key rotation drill\); devices must not be sent it/,
    );
  });
});
