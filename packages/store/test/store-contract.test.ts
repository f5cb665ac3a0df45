/**
 * The store contract (store-contract.ts) as servers use it, run against each engine that
 * implements it: answers are promises, refusals rejected promises carrying the AWS code.
 * SQLite is the engine behind the contract today; an engine added later joins ENGINES.
 */
import { startPostgres, postgresSkipReason, type PostgresServer } from '@fwsign/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type StoreContract } from '../src/index.js';
import { ALICE, BOB, opensslPair, removeDir, tempDir, TEST_MASTER_KEY } from './helpers.js';

interface Engine {
  name: string;
  open(dir: string): Promise<StoreContract>;
}

const pgSkip = postgresSkipReason();
if (pgSkip) console.warn(pgSkip);
let pg: PostgresServer | undefined;
afterAll(async () => {
  await pg?.stop();
});

const ENGINES: Engine[] = [
  {
    name: 'sqlite',
    open: async (dir) => openStore({ dataDir: dir, masterKey: TEST_MASTER_KEY }),
  },
  ...(pgSkip
    ? []
    : [
        {
          name: 'postgres',
          open: async (dir: string) => {
            pg ??= await startPostgres();
            return openStore({
              dataDir: dir,
              database: pg.createDatabase('contract'),
              masterKey: TEST_MASTER_KEY,
            });
          },
        },
      ]),
];

describe.each(ENGINES)('store contract on $name', (engine) => {
  let dir: string;
  let store: StoreContract;
  let certificateArn: string;

  beforeAll(async () => {
    dir = tempDir(`contract-${engine.name}`);
    store = await engine.open(dir);
    const pair = opensslPair(dir, 'c', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const enc = new TextEncoder();
    ({ certificateArn } = await store.importCertificate(ALICE, {
      certificate: enc.encode(pair.certPem),
      privateKey: enc.encode(pair.keyPem),
    }));
  });
  afterAll(async () => {
    await store?.close();
    removeDir(dir);
  });

  it('names its engine and its region', () => {
    expect(store.engine).toBe(engine.name);
    expect(store.region).toBe('us-east-1');
  });

  it('signs a source object and reads the signed object back; a retried token gives the same job', async () => {
    await store.putSigningProfile(ALICE, {
      profileName: 'contract_fw',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
    });
    await store.buckets.createBucket(ALICE.accountId, 'src');
    await store.buckets.putBucketVersioning(ALICE.accountId, 'src', 'Enabled');
    await store.buckets.createBucket(ALICE.accountId, 'dst');
    const { versionId } = await store.buckets.putObject(
      ALICE.accountId,
      'src',
      'fw.bin',
      new Uint8Array(1024).fill(1),
    );
    const input = {
      source: { s3: { bucketName: 'src', key: 'fw.bin', version: versionId } },
      destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
      profileName: 'contract_fw',
      clientRequestToken: 'contract-1',
    };
    const { jobId } = await store.startSigningJob(ALICE, input);
    expect((await store.startSigningJob(ALICE, input)).jobId).toBe(jobId);
    const job = await store.describeSigningJob(ALICE, { jobId });
    expect(job.status).toBe('Succeeded');
    const signed = await store.buckets.getObject(ALICE.accountId, 'dst', `signed/${jobId}`);
    expect(JSON.parse(new TextDecoder().decode(signed.body))).toHaveProperty('signature');
    const entries = await store.audit.entriesOfJob(jobId);
    expect(entries.map((e) => e.kind)).toContain('job.succeed');
    expect(await store.audit.size()).toBeGreaterThan(entries.length);
  });

  it('refuses by rejecting with the AWS exception, never by throwing', async () => {
    const call = store.getSigningProfile(BOB, { profileName: 'contract_fw' });
    expect(call).toBeInstanceOf(Promise);
    await expect(call).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
    const dup = store.putSigningProfile(ALICE, {
      profileName: 'contract_fw',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
    });
    await expect(dup).rejects.toMatchObject({
      code: 'ValidationException',
      message: expect.stringContaining('contract_fw'),
    });
    await expect(store.buckets.getObject(ALICE.accountId, 'nope', 'k')).rejects.toMatchObject({
      code: 'NoSuchBucket',
    });
  });

  it('checks a permission revisionId', async () => {
    const { revisionId } = await store.addProfilePermission(ALICE, {
      profileName: 'contract_fw',
      action: 'signer:GetSigningProfile',
      principal: BOB.accountId,
      statementId: 'bob-read',
    });
    await expect(
      store.addProfilePermission(ALICE, {
        profileName: 'contract_fw',
        action: 'signer:StartSigningJob',
        principal: BOB.accountId,
        statementId: 'bob-sign',
        revisionId: 'stale',
      }),
    ).rejects.toMatchObject({ code: 'ConflictException' });
    const got = await store.getSigningProfile(BOB, {
      profileName: 'contract_fw',
      profileOwner: ALICE.accountId,
    });
    expect(got.profileName).toBe('contract_fw');
    expect(revisionId).toMatch(/./);
  });
});
