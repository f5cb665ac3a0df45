/**
 * `copyStoreToPostgres` (store-copy.ts): a SQLite installation into an empty PostgreSQL database,
 * which a store then opens and serves by the same contract — its profiles, jobs and sealed keys
 * under the same master key, new rows numbered after the copied ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyStoreToPostgres,
  MasterKeyError,
  openStore,
  type StoreContract,
} from '../src/index.js';
import { ALICE, removeDir, tempDir, TEST_MASTER_KEY } from './helpers.js';
import {
  freshDatabase,
  importCertificate,
  jobInput,
  pgSkip,
  uploadFirmware,
} from './contract-engines.js';

describe.skipIf(pgSkip !== undefined)('store copy into PostgreSQL', () => {
  let from: string;
  let to: string;
  let url: string;
  let jobId: string;
  let copy: StoreContract | undefined;

  beforeAll(async () => {
    from = tempDir('copy-from');
    to = tempDir('copy-to');
    const sqlite = openStore({ dataDir: from, masterKey: TEST_MASTER_KEY });
    try {
      const { certificateArn } = await importCertificate(sqlite, from);
      await sqlite.putSigningProfile(ALICE, {
        profileName: 'copied',
        platformId: 'AmazonFreeRTOS-Default',
        signingMaterial: { certificateArn },
      });
      const version = await uploadFirmware(sqlite);
      ({ jobId } = await sqlite.startSigningJob(ALICE, jobInput('copied', version, 'copy-1')));
    } finally {
      await sqlite.close();
    }
    url = await freshDatabase();
  }, 60_000);
  afterAll(async () => {
    await copy?.close();
    removeDir(from);
    removeDir(to);
  });

  it('copies, checks, and the copy serves the installation under the same master key', async () => {
    const report = await copyStoreToPostgres({ dataDir: from, to: url });
    expect(report.tables['jobs']).toBe(1);
    expect(report.objects).toBe(2);
    expect(() =>
      openStore({ dataDir: to, database: url, masterKey: new Uint8Array(32).fill(9) }),
    ).toThrow(MasterKeyError);
    copy = openStore({ dataDir: to, database: url, masterKey: TEST_MASTER_KEY });
    expect(copy.engine).toBe('postgres');
    expect((await copy.describeSigningJob(ALICE, { jobId })).status).toBe('Succeeded');
    expect((await copy.listSigningJobs(ALICE)).jobs.map((j) => j.jobId)).toEqual([jobId]);
    const { certificateArn } = (await copy.listCertificates(ALICE)).certificateSummaryList[0]!;
    // New rows after the copied ones: the identity sequences were moved past them.
    await copy.putSigningProfile(ALICE, {
      profileName: 'after_copy',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
    });
    await copy.addProfilePermission(ALICE, {
      profileName: 'after_copy',
      action: 'signer:GetSigningProfile',
      principal: '222222222222',
      statementId: 's1',
    });
    const names = (await copy.listSigningProfiles(ALICE)).profiles.map((p) => p.profileName);
    expect(names).toEqual(['after_copy', 'copied']);
  });

  it('refuses a destination that holds data, and one that is not PostgreSQL', async () => {
    await expect(copyStoreToPostgres({ dataDir: from, to: url })).rejects.toMatchObject({
      code: 'StoreCopyError',
      message: expect.stringMatching(
        /already holds \d+ row\(s\) in \w+; copy only into an empty database/,
      ),
    });
    await expect(copyStoreToPostgres({ dataDir: from, to: '/tmp/x.db' })).rejects.toMatchObject({
      code: 'StoreCopyError',
      message: expect.stringContaining('expected a postgres:// URL'),
    });
    await expect(copyStoreToPostgres({ dataDir: to, to: url })).rejects.toMatchObject({
      code: 'StoreCopyError',
      message: expect.stringContaining('no data dir to copy from'),
    });
  });
});
