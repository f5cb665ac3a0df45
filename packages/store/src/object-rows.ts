import { randomFillSync } from 'node:crypto';
import type { Db } from './db.js';
import { dialectOf, immediate, isBusy, stmt, withoutFsync } from './db.js';
import { BucketError, noSuchBucket } from './errors.js';
import type { StagedPart } from './object-bytes.js';

/** A row of `objects`: one version of one key, and where its bytes are. */
export interface ObjectRow {
  seq: number;
  key: string;
  version_id: string;
  file: string;
  offset: number;
  etag: string;
  size: number;
  created_at: number;
}

// S3's bucket naming rules (the subset that matters for a local directory).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;
/**
 * The ETag of an object written by a signing job until somebody reads it. Nobody is handed a
 * signed object's ETag when its job finishes, and an MD5 of every signed object cost about a fifth
 * of a 64 KiB job's CPU, so it is computed on first read and kept in the row.
 */
export const ETAG_NOT_YET = '';

/** bucketRowOf's read: parameters account, bucket. */
export const BUCKET_VERSIONING = 'SELECT versioning FROM buckets WHERE account = ? AND name = ?';

/** Bucket row or NoSuchBucket. */
export function bucketRowOf(
  db: Db,
  accountId: string,
  bucket: string,
): { versioning: string | null } {
  const row = stmt(db, BUCKET_VERSIONING).get(accountId, bucket) as
    { versioning: string | null } | undefined;
  if (!row) throw noSuchBucket(bucket);
  return row;
}

/**
 * Inserts the row that makes one staged body visible (object-bytes.ts). Must run inside the
 * caller's transaction. An unversioned or suspended bucket keeps one "null" version per key, as
 * S3 does; on SQLite, a segment left without any row by that replacement is returned for deletion
 * after commit. On PostgreSQL the replaced version's chunks go with its row (ON DELETE CASCADE).
 */
export function insertObjectVersion(
  db: Db,
  part: StagedPart,
  accountId: string,
  bucket: string,
  key: string,
): { versionId: string; replacedFiles: string[] } {
  const b = bucketRowOf(db, accountId, bucket);
  const replacedFiles: string[] = [];
  let versionId: string;
  if (b.versioning === 'Enabled') {
    versionId = newVersionId();
  } else {
    versionId = 'null';
    const old = stmt(
      db,
      "SELECT seq, file FROM objects WHERE account = ? AND bucket = ? AND key = ? AND version_id = 'null'",
    ).get(accountId, bucket, key) as { seq: number; file: string } | undefined;
    if (old) {
      stmt(db, 'DELETE FROM objects WHERE seq = ?').run(old.seq);
      if (
        dialectOf(db) === 'sqlite' &&
        old.file !== part.file &&
        !stmt(db, 'SELECT 1 FROM objects WHERE file = ? LIMIT 1').get(old.file)
      )
        replacedFiles.push(old.file);
    }
  }
  const params = [
    accountId,
    bucket,
    key,
    versionId,
    part.file,
    part.offset,
    part.etag,
    part.size,
    Date.now(),
  ];
  if (part.insert) part.insert(db, INSERT_OBJECT, params);
  else stmt(db, INSERT_OBJECT).run(...params);
  return { versionId, replacedFiles };
}

/** The columns of a new object row, in the order insertObjectVersion gives its parameters. */
export const OBJECT_COLUMNS =
  'account, bucket, key, version_id, file, "offset", etag, size, created_at' as const;

const INSERT_OBJECT = `INSERT INTO objects (${OBJECT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const VERSION_ID_BYTES = 24;
const versionIdPool = Buffer.allocUnsafeSlow(VERSION_ID_BYTES * 256);
let versionIdAt = versionIdPool.length;

/**
 * 24 random bytes, base64url. Drawn from a pool refilled 256 ids at a time: one randomBytes call
 * per job cost more than the rest of the row's insert. The first byte's top bit is cleared, so
 * the id starts with one of A–Z, a–f (191 random bits remain): one starting with `-` (1 in 64
 * before) is taken for an option by command lines, the AWS CLI's `--version-id -…` among them.
 */
export function newVersionId(): string {
  if (versionIdAt === versionIdPool.length) {
    randomFillSync(versionIdPool);
    versionIdAt = 0;
  }
  versionIdPool[versionIdAt] = versionIdPool[versionIdAt]! & 0x7f;
  versionIdAt += VERSION_ID_BYTES;
  return versionIdPool.toString('base64url', versionIdAt - VERSION_ID_BYTES, versionIdAt);
}

export function checkBucketName(bucket: unknown): string {
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new BucketError(
      'InvalidBucketName',
      400,
      `bucket name: expected 3-63 characters of [a-z0-9.-] starting and ending with a letter or digit, got ${JSON.stringify(bucket)}`,
    );
  }
  return bucket;
}

export function checkKey(key: unknown): string {
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES
  ) {
    throw new BucketError(
      'KeyTooLongError',
      400,
      `object key: expected 1-${MAX_KEY_BYTES} bytes of UTF-8, got ${JSON.stringify(key)}`,
    );
  }
  return key;
}

/**
 * Keeps ETags computed on read. Only a cache (a lost update costs one MD5 on the next read), so
 * it is committed without an fsync, and a write lock held by another process is no reason to
 * fail the read.
 */
export function rememberEtags<T extends { seq: number; etag: string }>(db: Db, computed: T[]): T[] {
  if (computed.length === 0) return computed;
  try {
    withoutFsync(db, () =>
      immediate(db, () => {
        for (const c of computed)
          stmt(db, 'UPDATE objects SET etag = ? WHERE seq = ? AND etag = ?').run(
            c.etag,
            c.seq,
            ETAG_NOT_YET,
          );
      }),
    );
  } catch (err) {
    if (!isBusy(err)) throw err;
  }
  return computed;
}
