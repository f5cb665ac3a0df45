/** The small client the `fwsign` verbs use, against a real server: its S3 GetObject and the OTA route. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignerStore, storeContract } from '@fwsign/store';
import {
  getOtaJobDocument,
  getS3Object,
  ServiceError,
  SignerServer,
  type ClientConfig,
} from '../src/index.js';
import { DEV, REGION } from './helpers.js';

const ACCOUNT = '000000000000';
const dataDir = mkdtempSync(join(tmpdir(), 'fwsign-api-client-'));
// The test puts objects straight into the store the server serves from.
const store = SignerStore.open({ dataDir });
let server: SignerServer;
let config: ClientConfig;

beforeAll(async () => {
  server = await SignerServer.open({
    dataDir,
    port: 0,
    store: storeContract(store),
    accessLog: false,
  });
  config = { endpoint: (await server.listen()).url, region: REGION, credentials: DEV };
  store.buckets.createBucket(ACCOUNT, 'fw-bucket');
  store.buckets.putBucketVersioning(ACCOUNT, 'fw-bucket', 'Enabled');
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('getS3Object', () => {
  it('fetches a version by id, and the latest without one, signed as S3 wants (keys with spaces, unicode and reserved characters)', async () => {
    const buckets = store.buckets;
    const key = "signed/v1 (rc)/fïrm'ware*.json";
    const v1 = buckets.putObject(
      ACCOUNT,
      'fw-bucket',
      key,
      new TextEncoder().encode('first'),
    ).versionId;
    buckets.putObject(ACCOUNT, 'fw-bucket', key, new TextEncoder().encode('second'));
    expect(new TextDecoder().decode(await getS3Object(config, 'fw-bucket', key, v1))).toBe('first');
    expect(new TextDecoder().decode(await getS3Object(config, 'fw-bucket', key))).toBe('second');
  });

  it("throws the service's S3 error code and message", async () => {
    const err = await getS3Object(config, 'fw-bucket', 'no/such/key').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({
      code: 'NoSuchKey',
      status: 404,
      message: expect.stringContaining('no/such/key'),
    });
    const denied = await getS3Object(
      { ...config, credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' } },
      'fw-bucket',
      'no/such/key',
    ).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
  });
});

describe('getOtaJobDocument', () => {
  it("throws the route's rest-json error as the SDKs would: code, status, message (job ids needing encoding sign correctly)", async () => {
    const query = { filepath: '/f', certfile: '/c', protocol: ['HTTP'] };
    for (const jobId of ['00000000-0000-4000-8000-000000000000', 'a b/c?d']) {
      const err = await getOtaJobDocument(config, jobId, query).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceError);
      expect(err).toMatchObject({
        code: 'ResourceNotFoundException',
        status: 404,
        message: expect.stringContaining(JSON.stringify(jobId)) as string,
      });
    }
    const bad = await getOtaJobDocument(config, 'x', { filepath: '/f' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'ValidationException', status: 400 });
    expect((bad as Error).message).toMatch(/certfile: expected the code-signing certificate path/);
  });
});
