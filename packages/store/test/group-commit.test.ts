/**
 * The commit worker: a batch's signed objects are written, fsynced and committed with their job
 * rows on a thread of its own, so the thread that signs never waits on the disk.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createDevelopmentCertificate } from '@fwsign/signing-engine';
import { Buckets } from '../src/buckets.js';
import type { BatchJob } from '../src/batch-commit.js';
import { CommitWriter } from '../src/commit-writer.js';
import { openDatabase } from '../src/db.js';
import { finalPath } from '../src/segment-files.js';
import { etagOf } from '../src/etag.js';
import { ALICE, openStore, removeDir, tempDir } from './helpers.js';
import { job } from './new-job.js';

const dirs: string[] = [];
const dir = (label: string): string => {
  const d = tempDir(label);
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach(removeDir));

/** A migrated database with Alice's versioned "dst" bucket, and a writer on it. */
function setUp(label: string, entry?: ConstructorParameters<typeof CommitWriter>[3] | 'default') {
  const d = dir(label);
  const db = openDatabase(join(d, 'signer.db'));
  const buckets = new Buckets(db, d);
  buckets.createBucket(ALICE.accountId, 'dst');
  buckets.putBucketVersioning(ALICE.accountId, 'dst', 'Enabled');
  const writer =
    entry === 'default'
      ? new CommitWriter(db, db.name, buckets.dirs)
      : new CommitWriter(db, db.name, buckets.dirs, entry);
  return { db, buckets, writer };
}

const batchOf = (
  from: number,
  n: number,
  body = (i: number) => new Uint8Array(70_000).fill(i),
): BatchJob[] =>
  Array.from({ length: n }, (_, k) => ({
    job: job(`job-${from + k}`, `t${from + k}`),
    body: body(from + k),
  }));

describe('CommitWriter', () => {
  it('commits on its worker thread: rows visible to the store, one fsynced 0600 segment per batch, bodies handed over', async () => {
    const { db, buckets, writer } = setUp('writer', 'default');
    try {
      const batch = batchOf(0, 3);
      const expected = batch.map((c) => Buffer.from(c.body!));
      const { file, outcomes } = await writer.commit(batch);
      expect(writer.onWorker).toBe(true);
      expect(outcomes.map((o) => [o.jobId, o.duplicate, o.wroteObject])).toEqual([
        ['job-0', false, true],
        ['job-1', false, true],
        ['job-2', false, true],
      ]);
      // Moved to the worker, not copied.
      expect(batch[0]!.body!.byteLength).toBe(0);
      // Committed, so moved out of pending/ into its shard.
      expect(readdirSync(buckets.dirs.pending)).toEqual([]);
      const seg = finalPath(buckets.dirs, file!);
      expect(statSync(seg).mode & 0o777).toBe(0o600);
      expect(readFileSync(seg).equals(Buffer.concat(expected))).toBe(true);
      for (const [i, body] of expected.entries()) {
        const got = buckets.getObject(ALICE.accountId, 'dst', `o/job-${i}`);
        expect(Buffer.from(got.body).equals(body)).toBe(true);
        expect(got.etag).toBe(etagOf(body));
      }
      expect(
        db.prepare('SELECT count(*) AS n FROM jobs WHERE signed_version IS NOT NULL').get(),
      ).toEqual({ n: 3 });
    } finally {
      writer.close();
      db.close();
    }
  });

  it('reports a token another batch committed first as a duplicate, and writes no row for it', async () => {
    const { db, buckets, writer } = setUp('writer-dup', 'default');
    try {
      await writer.commit([{ job: job('first', 'same') }]);
      const { outcomes } = await writer.commit([
        { job: job('second', 'same'), body: new Uint8Array(10) },
      ]);
      expect(outcomes[0]).toMatchObject({ jobId: 'first', duplicate: true, wroteObject: false });
      // Nothing points at the duplicate's segment, so it is gone.
      expect(readdirSync(buckets.dirs.pending)).toEqual([]);
      expect(
        db.prepare("SELECT count(*) AS n FROM jobs WHERE client_token = 'same'").get(),
      ).toEqual({ n: 1 });
      expect(db.prepare('SELECT count(*) AS n FROM objects').get()).toEqual({ n: 0 });
    } finally {
      writer.close();
      db.close();
    }
  });

  it('fails a batch as a whole, with the AWS code and status, leaving no rows and no segment', async () => {
    const { db, buckets, writer } = setUp('writer-fail', 'default');
    try {
      const batch: BatchJob[] = [
        { job: job('ok', 'a'), body: new Uint8Array(5) },
        { job: job('bad', 'b', 'no-such-bucket'), body: new Uint8Array(5) },
      ];
      await expect(writer.commit(batch)).rejects.toMatchObject({
        code: 'NoSuchBucket',
        httpStatus: 404,
        message: expect.stringContaining('no-such-bucket'),
      });
      expect(db.prepare('SELECT count(*) AS n FROM jobs').get()).toEqual({ n: 0 });
      expect(readdirSync(buckets.dirs.pending)).toEqual([]);
    } finally {
      writer.close();
      db.close();
    }
  });

  it('close() waits for the batches the worker holds and answers each with its own jobs, also when they were committed together', async () => {
    const { db, writer } = setUp('writer-close', 'default');
    await writer.commit(batchOf(0, 1));
    // Sent back to back: the worker finds them queued and commits them as one.
    const inFlight = [
      writer.commit(batchOf(1, 8)),
      writer.commit(batchOf(9, 8)),
      writer.commit(batchOf(17, 8)),
    ];
    writer.close();
    const done = await Promise.all(inFlight);
    done.forEach((b, k) =>
      expect(b.outcomes.map((o) => o.jobId)).toEqual(
        Array.from({ length: 8 }, (_, i) => `job-${1 + 8 * k + i}`),
      ),
    );
    expect(done.flatMap((b) => b.outcomes).filter((o) => !o.duplicate)).toHaveLength(24);
    expect(db.prepare('SELECT count(*) AS n FROM jobs').get()).toEqual({ n: 25 });
    await expect(writer.commit(batchOf(30, 1))).rejects.toThrow('the store is closed');
    db.close();
  });

  it('commits on the calling thread, with the same result, when its worker cannot start', async () => {
    const { db, buckets, writer } = setUp('writer-inline', {
      code: 'throw new Error("no worker here")',
      eval: true,
    });
    try {
      const { outcomes } = await writer.commit(batchOf(0, 2));
      expect(writer.onWorker).toBe(false);
      expect(outcomes.map((o) => o.wroteObject)).toEqual([true, true]);
      expect(
        Buffer.from(buckets.getObject(ALICE.accountId, 'dst', 'o/job-1').body).equals(
          Buffer.alloc(70_000, 1),
        ),
      ).toBe(true);
    } finally {
      writer.close();
      db.close();
    }
  });
});

describe('job batches', () => {
  it('40 jobs at once (early flushes of 16 and the rest): every signed object has the MD5 ETag of its bytes, listed or fetched', async () => {
    const d = dir('batch');
    const store = openStore(d);
    try {
      const { privateKeyPem, certificatePem } = await createDevelopmentCertificate({
        algorithm: 'ecdsa-p256',
        subject: 'CN=batch',
      });
      const enc = new TextEncoder();
      const { certificateArn } = store.importCertificate(ALICE, {
        certificate: enc.encode(certificatePem),
        privateKey: enc.encode(privateKeyPem),
      });
      store.putSigningProfile(ALICE, {
        profileName: 'batch_p',
        platformId: 'AmazonFreeRTOS-Default',
        signingMaterial: { certificateArn },
      });
      for (const b of ['src', 'dst']) {
        store.buckets.createBucket(ALICE.accountId, b);
        store.buckets.putBucketVersioning(ALICE.accountId, b, 'Enabled');
      }
      const { versionId } = store.buckets.putObject(
        ALICE.accountId,
        'src',
        'fw.bin',
        new Uint8Array(5000).fill(3),
      );
      const jobs = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          store.startSigningJob(ALICE, {
            source: { s3: { bucketName: 'src', key: 'fw.bin', version: versionId } },
            destination: { s3: { bucketName: 'dst', prefix: 'o/' } },
            profileName: 'batch_p',
            clientRequestToken: `t${i}`,
          }),
        ),
      );
      expect(new Set(jobs.map((j) => j.jobId)).size).toBe(40);
      // Listed first for half of them (the ETag is computed on first read, from the bytes on disk).
      const listed = store.buckets.listObjectVersions(ALICE.accountId, 'dst', {
        prefix: 'o/',
        maxKeys: 20,
      }).versions;
      expect(listed).toHaveLength(20);
      for (const v of listed)
        expect(v.etag).toBe(
          etagOf(store.buckets.getObject(ALICE.accountId, 'dst', v.key, v.versionId).body),
        );
      for (const { jobId } of jobs) {
        const obj = store.buckets.getObject(ALICE.accountId, 'dst', `o/${jobId}`);
        expect(obj.etag).toBe(`"${createHash('md5').update(obj.body).digest('hex')}"`);
        expect(store.describeSigningJob(ALICE, { jobId }).status).toBe('Succeeded');
      }
    } finally {
      store.close();
    }
    const db = new Database(join(d, 'signer.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM jobs WHERE status = 'Succeeded'").get()).toEqual(
        { n: 40 },
      );
      // Computed once on read, then kept in the row.
      expect(
        db
          .prepare(
            "SELECT count(*) AS n FROM objects WHERE bucket = 'dst' AND etag GLOB '\"[0-9a-f]*\"' AND length(etag) = 34",
          )
          .get(),
      ).toEqual({ n: 40 });
    } finally {
      db.close();
    }
  });
});
