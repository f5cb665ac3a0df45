/**
 * A server outlives a PostgreSQL restart or failover: the connection the server ended is replaced
 * at the next call made outside a transaction, and a transaction the loss cut short fails to its
 * caller (nothing of it committed), never reported as a success.
 */
import { startPostgres, postgresSkipReason, type PostgresServer } from '@fwsign/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { immediate } from '../src/db.js';
import { PgDb } from '../src/pg-db.js';
import type { SignerStore } from '../src/index.js';
import { ALICE, openStore, opensslPair, removeDir, tempDir } from './helpers.js';

const skip = postgresSkipReason();
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)('PostgreSQL connection loss', { timeout: 120_000 }, () => {
  let pg: PostgresServer;
  let dir: string;
  let store: SignerStore;
  let certificateArn: string;

  beforeAll(async () => {
    pg = await startPostgres();
    dir = tempDir('pg-reconnect');
    store = openStore(dir, { database: pg.createDatabase('reconnect') });
    const pair = opensslPair(dir, 'c', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const enc = new TextEncoder();
    ({ certificateArn } = store.importCertificate(ALICE, {
      certificate: enc.encode(pair.certPem),
      privateKey: enc.encode(pair.keyPem),
    }));
  });
  afterAll(async () => {
    store?.close();
    await pg?.stop();
    removeDir(dir);
  });

  it('goes on after PostgreSQL restarts: reads, writes and signing jobs on new connections', async () => {
    store.putSigningProfile(ALICE, {
      profileName: 'before_restart',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
    });
    store.buckets.createBucket(ALICE.accountId, 'src');
    store.buckets.putBucketVersioning(ALICE.accountId, 'src', 'Enabled');
    store.buckets.createBucket(ALICE.accountId, 'dst');
    const { versionId } = store.buckets.putObject(
      ALICE.accountId,
      'src',
      'fw.bin',
      new Uint8Array(512).fill(3),
    );
    const job = (token: string) =>
      store.startSigningJob(ALICE, {
        source: { s3: { bucketName: 'src', key: 'fw.bin', version: versionId } },
        destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
        profileName: 'before_restart',
        clientRequestToken: token,
      });
    const first = (await job('before')).jobId;

    await pg.restart();

    expect(store.getSigningProfile(ALICE, { profileName: 'before_restart' }).status).toBe('Active');
    store.putSigningProfile(ALICE, {
      profileName: 'after_restart',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
    });
    const second = (await job('after')).jobId;
    expect((await job('before')).jobId).toBe(first);
    expect(store.describeSigningJob(ALICE, { jobId: second }).status).toBe('Succeeded');
    expect(
      store
        .listSigningProfiles(ALICE, {})
        .profiles.map((p) => p.profileName)
        .sort(),
    ).toEqual(['after_restart', 'before_restart']);
  });

  it('fails a transaction the lost connection cut short, commits none of it, and goes on', () => {
    const db = new PgDb(pg.createDatabase('cut_short'));
    try {
      db.exec('CREATE TABLE t (v INTEGER)');
      let ran = false;
      expect(() =>
        immediate(db, () => {
          db.prepare('INSERT INTO t (v) VALUES (?)').run(1);
          // The server ends this very session, as a restart or failover would mid-transaction.
          db.prepare('SELECT pg_terminate_backend(pg_backend_pid())').get();
          ran = true;
          db.prepare('INSERT INTO t (v) VALUES (?)').run(2);
        }),
      ).toThrow(
        expect.objectContaining({
          name: 'PgError',
          code: expect.stringMatching(/^(57P01|CONNECTION)$/),
        }),
      );
      expect(ran).toBe(false);
      expect(db.inTransaction).toBe(false);
      // The next call is outside a transaction: a new connection, where nothing of the cut one is.
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
      immediate(db, () => db.prepare('INSERT INTO t (v) VALUES (?)').run(3));
      expect(db.prepare('SELECT v FROM t').all()).toEqual([{ v: 3 }]);
    } finally {
      db.close();
    }
  });
});
