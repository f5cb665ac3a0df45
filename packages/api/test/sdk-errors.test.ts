// Cross-account signing, and validation and authentication errors as the SDK sees them.
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  AddProfilePermissionCommand,
  GetSigningProfileCommand,
  ListProfilePermissionsCommand,
  ListSigningPlatformsCommand,
  PutSigningProfileCommand,
  SignerClient,
  StartSigningJobCommand,
  waitUntilSuccessfulSigningJob,
} from '@aws-sdk/client-signer';
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DEV, REGION, signedFetch, type Harness } from './helpers.js';
import { freeRtosProfile, importCertificate, rejection, useSdkServer } from './sdk-fixture.js';

const fx = useSdkServer();
let h: Harness;
let signer: SignerClient;
let certificateArn: string;
const firmware = randomBytes(64 * 1024);
const signerFor = (creds?: typeof DEV, extra?: object): SignerClient => fx.signerFor(creds, extra);
beforeAll(async () => {
  ({ h, signer } = fx);
  certificateArn = await importCertificate(fx);
  await freeRtosProfile(fx, 'FirmwareProfile', certificateArn);
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
