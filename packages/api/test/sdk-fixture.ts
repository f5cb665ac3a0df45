/**
 * What the AWS SDK suites (sdk-*.test.ts, ota.test.ts) share: a real server over a fresh data dir
 * with two accounts, the SDK clients for the first, an EC code-signing certificate made by
 * OpenSSL, and the set-up steps a signing job needs (the certificate in ACM, a profile, buckets).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutSigningProfileCommand, SignerClient } from '@aws-sdk/client-signer';
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  acm,
  b64,
  DEV,
  makeCertificate,
  REGION,
  s3Client,
  startServer,
  type Harness,
} from './helpers.js';

/** The second account's keys (111111111111): no profile of its own, no permission to start with. */
export const OTHER = { accessKeyId: 'other', secretAccessKey: 'other-secret' };

export interface SdkFixture {
  h: Harness;
  tmp: string;
  signer: SignerClient;
  s3: S3Client;
  ec: ReturnType<typeof makeCertificate>;
  /** A Signer client for the server with other keys or options. */
  signerFor(creds?: typeof DEV, extra?: object): SignerClient;
}

/** Starts the server before the file's tests and closes it after; the fields are set by then. */
export function useSdkServer(): SdkFixture {
  const fx = {} as SdkFixture;
  beforeAll(async () => {
    fx.tmp = mkdtempSync(join(tmpdir(), 'fwsign-api-sdk-'));
    fx.h = await startServer({
      credentials: [
        { ...DEV, accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' },
        { ...OTHER, accountId: '111111111111' },
      ],
    });
    fx.signerFor = (creds = DEV, extra = {}) =>
      new SignerClient({
        endpoint: fx.h.url,
        region: REGION,
        credentials: creds,
        disableHostPrefix: true,
        ...extra,
      });
    fx.signer = fx.signerFor();
    fx.s3 = s3Client(fx.h.url);
    fx.ec = makeCertificate(fx.tmp, 'ec');
  });
  afterAll(async () => {
    fx.signer?.destroy();
    fx.s3?.destroy();
    await fx.h?.close();
    if (fx.tmp) rmSync(fx.tmp, { recursive: true, force: true });
  });
  return fx;
}

/** The fixture's certificate imported into ACM; its ARN. */
export async function importCertificate(fx: SdkFixture): Promise<string> {
  const imported = await acm(fx.h.url, 'ImportCertificate', {
    Certificate: b64(fx.ec.certificate),
    PrivateKey: b64(fx.ec.privateKey),
  });
  expect(imported.status).toBe(200);
  return imported.json.CertificateArn as string;
}

/** A FreeRTOS profile signing with the certificate; its version ARN. */
export async function freeRtosProfile(
  fx: SdkFixture,
  profileName: string,
  certificateArn: string,
): Promise<string> {
  const put = await fx.signer.send(
    new PutSigningProfileCommand({
      profileName,
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
    }),
  );
  return put.profileVersionArn!;
}

/** A bucket of the first account, versioned when a signing job's source needs it. */
export async function bucket(fx: SdkFixture, name: string, versioned = false): Promise<void> {
  await fx.s3.send(new CreateBucketCommand({ Bucket: name }));
  if (versioned)
    await fx.s3.send(
      new PutBucketVersioningCommand({
        Bucket: name,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
}

/** The error a call was rejected with, as the SDK throws it. */
export async function rejection(
  p: Promise<unknown>,
): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'expected the call to fail').toBeDefined();
  return e as { name: string; message: string; $metadata: { httpStatusCode?: number } };
}
