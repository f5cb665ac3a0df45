/**
 * Object bytes on each engine (object-bytes.ts): the same puts, streamed puts, replaced "null"
 * versions and signing jobs read back the same, with the bytes where the engine keeps them —
 * segment files under <dataDir>/objects beside SQLite, `object_chunks` rows in PostgreSQL and
 * nothing on the local disk, so servers sharing the database share nothing else.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, postgresSkipReason, type PostgresServer } from '@fwsign/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Buckets } from '../src/buckets.js';
import { CommitWriter } from '../src/commit-writer.js';
import type { Db } from '../src/db.js';
import { connect, openDatabase } from '../src/db.js';
import { copyStoreToPostgres, type SignerStore } from '../src/index.js';
import {
  ALICE,
  EC_P256,
  expectStoreError,
  openStore,
  opensslPair,
  removeDir,
  setupAlice,
  tempDir,
} from './helpers.js';
import { job } from './new-job.js';
import { md5, pieces } from './stream-pieces.js';

const A = ALICE.accountId;
const MiB = 1024 * 1024;

const pgSkip = postgresSkipReason();
if (pgSkip) console.warn(pgSkip);
let pg: PostgresServer | undefined;
let databases = 0;
/** A fresh PostgreSQL database on this file's one server. */
async function newDatabase(): Promise<string> {
  pg ??= await startPostgres();
  return pg.createDatabase(`objbytes_${++databases}`);
}
afterAll(async () => {
  await pg?.stop();
});

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

interface Engine {
  name: 'sqlite' | 'postgres';
  /** A database location for a store in `dir`: undefined is SQLite's file in it. */
  database(): Promise<string | undefined>;
}

const ENGINES: Engine[] = [
  { name: 'sqlite', database: () => Promise.resolve(undefined) },
  ...(pgSkip ? [] : [{ name: 'postgres' as const, database: newDatabase }]),
];

describe.each(ENGINES)('object bytes on $name', (engine) => {
  let dir: string;
  let store: SignerStore;
  let url: string | undefined;
  /** A second connection, to look at the tables as another server would. */
  let peek: Db | undefined;

  beforeAll(async () => {
    dir = tempDir(`objbytes-${engine.name}`);
    dirs.push(dir);
    url = await engine.database();
    store = openStore(dir, url === undefined ? {} : { database: url });
    if (url !== undefined) peek = connect(url);
    store.buckets.createBucket(A, 'plain');
    store.buckets.createBucket(A, 'versioned');
    store.buckets.putBucketVersioning(A, 'versioned', 'Enabled');
  });
  afterAll(() => {
    store?.close();
    peek?.close();
  });

  /** Every segment file under <dataDir>/objects (SQLite), pending or published. */
  function segmentFiles(): string[] {
    const root = join(dir, 'objects');
    if (!existsSync(root)) return [];
    return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => `${d}/${f}`));
  }

  /** The chunks of PostgreSQL's version `versionId` of `key`: their numbers and sizes. */
  function chunksOf(bucket: string, key: string, versionId: string): Array<[number, number]> {
    const rows = peek!
      .prepare(
        `SELECT c.n, length(c.bytes) AS size FROM object_chunks c JOIN objects o ON o.seq = c.object_seq
          WHERE o.account = ? AND o.bucket = ? AND o.key = ? AND o.version_id = ? ORDER BY c.n`,
      )
      .all(A, bucket, key, versionId) as Array<{ n: number; size: number }>;
    return rows.map((r) => [r.n, r.size]);
  }

  /** What the engine holds of object bytes, to compare before and after a refused put. */
  function held(): unknown {
    if (engine.name === 'sqlite') return segmentFiles().sort();
    return peek!
      .prepare(
        `SELECT (SELECT count(*) FROM objects) AS objects, (SELECT count(*) FROM object_chunks) AS chunks,
                (SELECT count(*) FROM object_uploads) AS staged`,
      )
      .get();
  }

  /** How many segment files (SQLite) or chunks (PostgreSQL) hold object bytes. */
  function pieceCount(): number {
    if (engine.name === 'sqlite') return segmentFiles().length;
    return (peek!.prepare('SELECT count(*) AS n FROM object_chunks').get() as { n: number }).n;
  }

  it('puts, gets and lists versions of versioned and unversioned buckets', () => {
    const b = store.buckets;
    const v1 = b.putObject(A, 'versioned', 'fw.bin', Buffer.from('one'));
    const v2 = b.putObject(A, 'versioned', 'fw.bin', Buffer.from('two!'));
    const empty = b.putObject(A, 'versioned', 'empty.bin', new Uint8Array(0));
    expect(v1.versionId).not.toBe(v2.versionId);
    expect(Buffer.from(b.getObject(A, 'versioned', 'fw.bin').body).toString()).toBe('two!');
    const first = b.getObject(A, 'versioned', 'fw.bin', v1.versionId);
    expect(Buffer.from(first.body).toString()).toBe('one');
    expect(first.etag).toBe(`"${md5(Buffer.from('one')).toString('hex')}"`);
    expect(b.getObject(A, 'versioned', 'empty.bin').body.length).toBe(0);
    const listed = b.listObjectVersions(A, 'versioned');
    expect(listed.versions.map((v) => [v.key, v.versionId, v.isLatest, v.size])).toEqual([
      ['empty.bin', empty.versionId, true, 0],
      ['fw.bin', v2.versionId, true, 4],
      ['fw.bin', v1.versionId, false, 3],
    ]);
    expect(b.putObject(A, 'plain', 'one.bin', Buffer.from('x')).versionId).toBe('null');
    if (engine.name === 'postgres') {
      expect(chunksOf('versioned', 'fw.bin', v1.versionId)).toEqual([[0, 3]]);
      // An empty body is one empty chunk, as `store copy` writes it.
      expect(chunksOf('versioned', 'empty.bin', empty.versionId)).toEqual([[0, 0]]);
    }
  });

  it('replaces the "null" version of an unversioned bucket, bytes and all', () => {
    const b = store.buckets;
    b.putObject(A, 'plain', 'cfg.bin', Buffer.from('old bytes'));
    const before = pieceCount();
    b.putObject(A, 'plain', 'cfg.bin', Buffer.from('new'));
    // The old bytes went with the old version: a segment file, or its chunks.
    expect(pieceCount()).toBe(before);
    const got = b.getObject(A, 'plain', 'cfg.bin', 'null');
    expect(Buffer.from(got.body).toString()).toBe('new');
    expect(b.listObjectVersions(A, 'plain', { prefix: 'cfg' }).versions).toHaveLength(1);
    if (engine.name === 'postgres') expect(chunksOf('plain', 'cfg.bin', 'null')).toEqual([[0, 3]]);
  });

  it('streams a put of several MiB in 1 MiB chunks and reads it back with its MD5 ETag', async () => {
    const bytes = randomBytes(2 * MiB + 4321);
    const put = await store.buckets.putObjectStream(A, 'versioned', 'big.bin', pieces(bytes), {
      maxBytes: bytes.length,
      contentMd5: md5(bytes),
    });
    expect(put.etag).toBe(`"${md5(bytes).toString('hex')}"`);
    const got = store.buckets.getObject(A, 'versioned', 'big.bin', put.versionId);
    expect(Buffer.from(got.body).equals(bytes)).toBe(true);
    expect(got.contentLength).toBe(bytes.length);
    if (engine.name === 'postgres') {
      expect(chunksOf('versioned', 'big.bin', put.versionId)).toEqual([
        [0, MiB],
        [1, MiB],
        [2, 4321],
      ]);
      expect(held()).toMatchObject({ staged: 0 });
    }
  });

  it('keeps nothing of a streamed put that is too large, does not match its Content-MD5 or loses its client', async () => {
    const bytes = randomBytes(MiB + MiB / 2);
    const before = held();
    await expectStoreError(
      () => store.buckets.putObjectStream(A, 'plain', 'no.bin', pieces(bytes), { maxBytes: MiB }),
      'EntityTooLarge',
      /exceeds the maximum allowed object size of 1048576 bytes/,
    );
    await expectStoreError(
      () =>
        store.buckets.putObjectStream(A, 'plain', 'no.bin', pieces(bytes), {
          contentMd5: md5(Buffer.from('other')),
        }),
      'BadDigest',
      /did not match what we received/,
    );
    const gone = pieces(bytes, 256 * 1024, (at) => {
      if (at > MiB) throw new Error('the client went away');
    });
    await expect(store.buckets.putObjectStream(A, 'plain', 'no.bin', gone)).rejects.toThrow(
      'the client went away',
    );
    expect(held()).toEqual(before);
    await expectStoreError(
      () => store.buckets.getObject(A, 'plain', 'no.bin'),
      'NoSuchKey',
      /"no.bin"/,
    );
  });

  it("reads a signing job's source and writes its signed object with the job, once per token", async () => {
    const setup = setupAlice(store, opensslPair(dir, 'ec', EC_P256));
    expect(setup.certificateArn).toContain('arn:aws:acm:');
    const source = randomBytes(MiB + 100);
    const { versionId } = store.buckets.putObject(A, 'src-bucket', 'fw/app.bin', source);
    const input = (token: string) => ({
      source: { s3: { bucketName: 'src-bucket', key: 'fw/app.bin', version: versionId } },
      destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
      profileName: 'fw_profile',
      clientRequestToken: token,
    });
    const [a, again, other] = await Promise.all([
      store.startSigningJob(ALICE, input('tok-1')),
      store.startSigningJob(ALICE, input('tok-1')),
      store.startSigningJob(ALICE, input('tok-2')),
    ]);
    expect(again.jobId).toBe(a.jobId);
    expect(other.jobId).not.toBe(a.jobId);
    expect(store.commitsOnWorker).toBe(true);
    for (const { jobId } of [a, other]) {
      const job = store.describeSigningJob(ALICE, { jobId });
      expect(job.status).toBe('Succeeded');
      const signed = store.buckets.getObject(A, 'dst-bucket', `signed/${jobId}`);
      const parsed = JSON.parse(Buffer.from(signed.body).toString()) as { signature: string };
      expect(parsed.signature.length).toBeGreaterThan(0);
      expect(signed.etag).toBe(`"${md5(signed.body).toString('hex')}"`);
      if (engine.name === 'postgres')
        expect(chunksOf('dst-bucket', `signed/${jobId}`, signed.versionId).length).toBe(
          Math.ceil(signed.body.length / MiB),
        );
    }
    expect(store.buckets.listObjectVersions(A, 'dst-bucket').versions).toHaveLength(2);
  });
});

describe.skipIf(pgSkip !== undefined)('object bytes on postgres, beyond what SQLite does', () => {
  it('keeps nothing under <dataDir>/objects, and sweeps staged uploads left idle past their grace period', async () => {
    const dir = tempDir('objbytes-sweep');
    dirs.push(dir);
    const url = await newDatabase();
    const store = openStore(dir, { database: url });
    try {
      store.buckets.createBucket(A, 'plain');
      store.buckets.putObject(A, 'plain', 'a.bin', randomBytes(100));
      expect(existsSync(join(dir, 'objects'))).toBe(false);
      const db = (store as unknown as { db: Db }).db;
      const count = (table: string) =>
        (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      // A server killed mid-upload left staged chunks; a live upload's rows are younger.
      db.prepare(
        'INSERT INTO object_uploads (upload_id, n, bytes, created_at) VALUES (?, ?, ?, ?)',
      ).run('dead', 0, Buffer.from('half'), Date.now() - 3600_000);
      expect(store.buckets.sweepPending()).toEqual({ published: 0, deleted: 1 });
      // An upload swept while its client was idle fails at commit, and keeps nothing.
      const slow = pieces(randomBytes(MiB + 10), MiB / 2, () => {
        store.buckets.sweepPending(Date.now() + 3600_000);
      });
      await expectStoreError(
        () => store.buckets.putObjectStream(A, 'plain', 'slow.bin', slow),
        'RequestTimeout',
        /expected 2 chunk\(s\), found 1/,
      );
      expect([count('objects'), count('object_chunks'), count('object_uploads')]).toEqual([
        1, 1, 0,
      ]);
    } finally {
      store.close();
    }
  });

  it('reads what `store copy` moved from a data dir, from its chunks alone, and replaces a copied "null" version', async () => {
    const from = tempDir('objbytes-copy-from');
    const to = tempDir('objbytes-copy-to');
    dirs.push(from, to);
    const big = randomBytes(MiB + MiB / 2);
    const local = openStore(from);
    local.buckets.createBucket(A, 'plain');
    local.buckets.putObject(A, 'plain', 'big.bin', big);
    local.buckets.putObject(A, 'plain', 'small.bin', Buffer.from('small'));
    local.close();
    const url = await newDatabase();
    await copyStoreToPostgres({ dataDir: from, to: url });
    // Another data dir, without the segment files: the bytes can only come from the database.
    const store = openStore(to, { database: url });
    try {
      expect(Buffer.from(store.buckets.getObject(A, 'plain', 'big.bin').body).equals(big)).toBe(
        true,
      );
      store.buckets.putObject(A, 'plain', 'small.bin', Buffer.from('replaced'));
      const got = store.buckets.getObject(A, 'plain', 'small.bin');
      expect(Buffer.from(got.body).toString()).toBe('replaced');
      const db = (store as unknown as { db: Db }).db;
      expect(db.prepare('SELECT count(*) AS n FROM object_chunks').get()).toEqual({ n: 3 });
      expect(existsSync(join(to, 'objects'))).toBe(false);
    } finally {
      store.close();
    }
  });

  it('commits a batch with its objects on its own connection, reports a duplicate token, and fails a bad batch leaving nothing', async () => {
    const dir = tempDir('objbytes-writer');
    dirs.push(dir);
    const url = await newDatabase();
    const db = openDatabase(url);
    const buckets = new Buckets(db, dir);
    buckets.createBucket(A, 'dst');
    buckets.putBucketVersioning(A, 'dst', 'Enabled');
    const writer = new CommitWriter(db, url, buckets.dirs);
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    try {
      const bodies = [randomBytes(70_000), randomBytes(MiB + 1)];
      const expected = bodies.map((b) => Buffer.from(b));
      const { outcomes } = await writer.commit(
        bodies.map((body, i) => ({ job: job(`job-${i}`, `t${i}`), body })),
      );
      expect(writer.onWorker).toBe(true);
      expect(outcomes.map((o) => [o.jobId, o.duplicate, o.wroteObject])).toEqual([
        ['job-0', false, true],
        ['job-1', false, true],
      ]);
      for (const [i, body] of expected.entries())
        expect(Buffer.from(buckets.getObject(A, 'dst', `o/job-${i}`).body).equals(body)).toBe(true);
      expect(count('object_chunks')).toBe(3);

      const dup = await writer.commit([{ job: job('again', 't0'), body: randomBytes(10) }]);
      expect(dup.outcomes[0]).toMatchObject({
        jobId: 'job-0',
        duplicate: true,
        wroteObject: false,
      });

      await expect(
        writer.commit([
          { job: job('ok', 'a'), body: randomBytes(5) },
          { job: job('bad', 'b', 'no-such-bucket'), body: randomBytes(5) },
        ]),
      ).rejects.toMatchObject({ code: 'NoSuchBucket', httpStatus: 404 });
      expect([count('jobs'), count('objects'), count('object_chunks')]).toEqual([2, 2, 3]);
      expect(existsSync(join(dir, 'objects'))).toBe(false);
    } finally {
      writer.close();
      db.close();
    }
  });
});
