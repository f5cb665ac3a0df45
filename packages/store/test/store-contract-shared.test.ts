/**
 * The store contract with several stores on ONE database, as several `fwsign serve` processes run
 * on one PostgreSQL (and, on SQLite, on one data dir): what one writes the others see; a client
 * token names one job whichever store gets it, even when eight race; two creating one profile
 * name get one success and one AWS error; a page token from one works on another.
 *
 * The stores share their data dir too: until the object bytes live in PostgreSQL, a source
 * image's bytes are segment files there.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tsxEsmApi } from '../src/worker-entry.js';
import { openStore, type StoreContract } from '../src/index.js';
import { ALICE, BOB, removeDir, tempDir, TEST_MASTER_KEY } from './helpers.js';
import {
  freshDatabase,
  importCertificate,
  jobInput,
  pgSkip,
  uploadFirmware,
} from './contract-engines.js';

/** A store on a thread of its own (fixtures/race-put.ts, compiled by tsx as the store's own workers are). */
function racer(data: object): Promise<{ ok: boolean; code?: string; message?: string }> {
  const tsx = tsxEsmApi(createRequire(import.meta.url));
  const entry = new URL('./fixtures/race-put.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: data });
    w.once('message', (m: { ok: boolean; code?: string; message?: string }) => resolve(m));
    w.once('error', reject);
    w.once('exit', (c) => reject(new Error(`racer exited ${c} without an answer`)));
  });
}

const ENGINES = [
  // Eight racing stores on PostgreSQL, the servers' case; each store's first job starts its commit
  // thread, seconds each on a loaded machine, so two on SQLite (two-process.slow.test.ts races more).
  { name: 'sqlite', database: async () => undefined, racers: 2 },
  ...(pgSkip ? [] : [{ name: 'postgres', database: freshDatabase, racers: 8 }]),
];

describe.each(ENGINES)('stores sharing one database on $name', (engine) => {
  let dir: string;
  let database: string | undefined;
  const stores: StoreContract[] = [];
  const open = async () => {
    const s = openStore({
      dataDir: dir,
      masterKey: TEST_MASTER_KEY,
      ...(database ? { database } : {}),
    });
    stores.push(s);
    return s;
  };
  let a: StoreContract;
  let b: StoreContract;
  let version: string;

  beforeAll(async () => {
    dir = tempDir(`shared-${engine.name}`);
    database = await engine.database();
    [a, b] = [await open(), await open()];
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    removeDir(dir);
  });

  it('a profile made on one store is read and signed with on the other', async () => {
    const { certificateArn } = await importCertificate(a, dir);
    const made = await a.putSigningProfile(ALICE, {
      profileName: 'shared_fw',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
    });
    const got = await b.getSigningProfile(ALICE, { profileName: 'shared_fw' });
    expect(got.profileVersionArn).toBe(made.profileVersionArn);
    version = await uploadFirmware(a);
    const { jobId } = await b.startSigningJob(ALICE, jobInput('shared_fw', version, 'on-b'));
    expect((await a.describeSigningJob(ALICE, { jobId })).status).toBe('Succeeded');
  });

  it('stores racing one client token start one job, and all answer it', async () => {
    const racers = [a, b];
    while (racers.length < engine.racers) racers.push(await open());
    const input = jobInput('shared_fw', version, 'build-42');
    const answers = await Promise.all(racers.map((s) => s.startSigningJob(ALICE, input)));
    const ids = new Set(answers.map((x) => x.jobId));
    expect(ids.size).toBe(1);
    const listed = (await b.listSigningJobs(ALICE, { maxResults: 25 })).jobs;
    expect(listed.filter((j) => ids.has(j.jobId))).toHaveLength(1);
    expect(listed).toHaveLength(2); // on-b's and this one
    // A retry later, on the last store, still names it.
    expect((await racers.at(-1)!.startSigningJob(ALICE, input)).jobId).toBe([...ids][0]);
  }, 120_000);

  it('two stores on two threads racing to create one profile name: one success, one ValidationException', async () => {
    const { certificateArn } = (await a.listCertificates(ALICE)).certificateSummaryList[0]!;
    // Both threads open their store, meet at the gate, then put at once.
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const data = {
      dataDir: dir,
      database,
      masterKey: TEST_MASTER_KEY,
      certificateArn,
      gate,
      racers: 2,
    };
    const results = await Promise.all([racer(data), racer(data)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({
      code: 'ValidationException',
      message: expect.stringContaining('"raced" already exists'),
    });
    expect((await b.getSigningProfile(ALICE, { profileName: 'raced' })).status).toBe('Active');
  }, 60_000);

  it('a revisionId moved by one store is stale on the other', async () => {
    const first = await a.addProfilePermission(ALICE, {
      profileName: 'shared_fw',
      action: 'signer:GetSigningProfile',
      principal: BOB.accountId,
      statementId: 'one',
    });
    await b.addProfilePermission(ALICE, {
      profileName: 'shared_fw',
      action: 'signer:StartSigningJob',
      principal: BOB.accountId,
      statementId: 'two',
      revisionId: first.revisionId,
    });
    await expect(
      a.removeProfilePermission(ALICE, {
        profileName: 'shared_fw',
        statementId: 'one',
        revisionId: first.revisionId,
      }),
    ).rejects.toMatchObject({ code: 'ConflictException' });
  });

  it('a page token from one store continues the listing on the other', async () => {
    const p1 = await a.listSigningProfiles(ALICE, { maxResults: 1 });
    expect(p1.nextToken).toBeDefined();
    const p2 = await b.listSigningProfiles(ALICE, { maxResults: 1, nextToken: p1.nextToken! });
    expect([...p1.profiles, ...p2.profiles].map((p) => p.profileName)).toEqual([
      'raced',
      'shared_fw',
    ]);
    const j1 = await b.listSigningJobs(ALICE, { maxResults: 1 });
    const j2 = await a.listSigningJobs(ALICE, { maxResults: 1, nextToken: j1.nextToken! });
    expect(j2.jobs).toHaveLength(1);
    expect(j2.jobs[0]!.jobId).not.toBe(j1.jobs[0]!.jobId);
  });
});
