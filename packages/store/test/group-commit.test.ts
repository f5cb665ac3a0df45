/**
 * The pieces that keep the job pipeline's disk work off the event loop: the deferred WAL fsync
 * (only a job batch commits with synchronous=NORMAL, and is answered after its own fsync) and the
 * segment worker (writes, fsyncs and hashes a batch's signed objects on another thread).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createDevelopmentCertificate } from '@fwsign/signing-engine';
import { openDatabase } from '../src/db.js';
import { SegmentWorker } from '../src/segment-worker.js';
import { etagOf } from '../src/etag.js';
import { WalSync } from '../src/wal-sync.js';
import { ALICE, openStore, removeDir, tempDir } from './helpers.js';

const dirs: string[] = [];
const dir = (label: string): string => {
  const d = tempDir(label);
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach(removeDir));

const synchronous = (db: Database.Database): number => db.pragma('synchronous', { simple: true }) as number;
const NORMAL = 1;
const FULL = 2;

describe('WalSync', () => {
  it('commits the batch with synchronous=NORMAL, restores FULL after it (also when it throws), and fsyncs the WAL', async () => {
    const db = openDatabase(join(dir('wal'), 'signer.db'));
    try {
      db.exec('CREATE TABLE t (v INTEGER)');
      const wal = new WalSync(db);
      expect(synchronous(db)).toBe(FULL);
      const seen = wal.commitDeferred(() => {
        db.prepare('INSERT INTO t VALUES (1)').run();
        return synchronous(db);
      });
      expect(seen).toBe(NORMAL);
      expect(synchronous(db)).toBe(FULL);
      await expect(wal.sync()).resolves.toBeUndefined();
      expect(() =>
        wal.commitDeferred(() => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(synchronous(db)).toBe(FULL);
      // Once closed, nothing is deferred any more: the commit keeps FULL.
      wal.close();
      expect(wal.commitDeferred(() => synchronous(db))).toBe(FULL);
      await expect(wal.sync()).resolves.toBeUndefined();
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it('keeps synchronous=FULL for a database without a WAL file', () => {
    const db = new Database(join(dir('nowal'), 'plain.db'));
    try {
      db.pragma('synchronous = FULL');
      const wal = new WalSync(db);
      expect(wal.commitDeferred(() => synchronous(db))).toBe(FULL);
      wal.close();
    } finally {
      db.close();
    }
  });
});

describe('SegmentWorker', () => {
  it('writes the bodies back to back to a new 0600 file and returns their MD5 ETags, as etagOf computes them', async () => {
    const d = dir('segment');
    const parts = [Buffer.from('hello'), new Uint8Array(0), new Uint8Array(200_000).fill(0xa5), Buffer.from('tail')];
    const copies = parts.map((p) => Buffer.from(p));
    const expected = copies.map((p) => etagOf(p));
    const path = join(d, 'segment');
    const worker = new SegmentWorker();
    try {
      const etags = await worker.write(path, d, parts);
      expect(etags).toEqual(expected);
      expect(etags[0]).toBe('"5d41402abc4b2a76b9719d911017c592"');
      expect(readFileSync(path).equals(Buffer.concat(copies))).toBe(true);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      // The 200 kB body owned its ArrayBuffer, so it was moved to the worker, not copied.
      expect(parts[2]!.byteLength).toBe(0);
    } finally {
      worker.close();
    }
  });

  it('refuses to overwrite an existing file (EEXIST) and leaves it as it was', async () => {
    const d = dir('segment-exists');
    const path = join(d, 'segment');
    writeFileSync(path, 'already here');
    const worker = new SegmentWorker();
    try {
      await expect(worker.write(path, d, [new Uint8Array(100_000)])).rejects.toMatchObject({ code: 'EEXIST' });
      expect(readFileSync(path, 'utf8')).toBe('already here');
    } finally {
      worker.close();
    }
  });
});

describe('job batches', () => {
  it('40 jobs at once (early flushes of 16 and the rest): every signed object has the MD5 ETag of its bytes', async () => {
    const d = dir('batch');
    const store = openStore(d);
    try {
      const { privateKeyPem, certificatePem } = await createDevelopmentCertificate({ algorithm: 'ecdsa-p256', subject: 'CN=batch' });
      const enc = new TextEncoder();
      const { certificateArn } = store.importCertificate(ALICE, { certificate: enc.encode(certificatePem), privateKey: enc.encode(privateKeyPem) });
      store.putSigningProfile(ALICE, { profileName: 'batch_p', platformId: 'AmazonFreeRTOS-Default', signingMaterial: { certificateArn } });
      for (const b of ['src', 'dst']) {
        store.buckets.createBucket(ALICE.accountId, b);
        store.buckets.putBucketVersioning(ALICE.accountId, b, 'Enabled');
      }
      const { versionId } = store.buckets.putObject(ALICE.accountId, 'src', 'fw.bin', new Uint8Array(5000).fill(3));
      const jobs = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          store.startSigningJob(ALICE, { source: { s3: { bucketName: 'src', key: 'fw.bin', version: versionId } }, destination: { s3: { bucketName: 'dst', prefix: 'o/' } }, profileName: 'batch_p', clientRequestToken: `t${i}` }),
        ),
      );
      expect(new Set(jobs.map((j) => j.jobId)).size).toBe(40);
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
      expect(db.prepare("SELECT count(*) AS n FROM jobs WHERE status = 'Succeeded'").get()).toEqual({ n: 40 });
    } finally {
      db.close();
    }
  });
});
