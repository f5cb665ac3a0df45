import { randomFillSync } from 'node:crypto';
import { etagOf } from './etag.js';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db.js';
import { immediate, isBusy, stmt, withoutFsync } from './db.js';
import { BucketError, noSuchBucket } from './errors.js';
import { fsyncDirSync } from './files.js';
import type { SegmentDirs } from './segment-files.js';
import {
  commitIntoSegment,
  finalPath,
  newSegmentName,
  publishSegment,
  segmentDirs,
  writePendingSegment,
} from './segment-files.js';
import { checkAccountId } from './validate.js';

export type VersioningStatus = 'Enabled' | 'Suspended';

export interface ObjectVersionSummary {
  key: string;
  versionId: string;
  isLatest: boolean;
  lastModified: Date;
  size: number;
  etag: string;
}

export interface GetObjectResult {
  body: Uint8Array;
  versionId: string;
  etag: string;
  lastModified: Date;
  contentLength: number;
}

/**
 * A segment file written and fsynced under `pending/`, holding one or more object
 * bodies back to back; not visible until rows point at it.
 */
export interface Segment {
  file: string;
  parts: SegmentPart[];
}
export interface SegmentPart {
  offset: number;
  size: number;
  etag: string;
}

interface ObjectRow {
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
const ETAG_NOT_YET = '';
/** Pending files of a live process younger than this are left alone by the sweep: they may be mid-job. */
const PENDING_GRACE_MS = 10 * 60_000;

/**
 * Versioned buckets on the local disk. SQLite is the index: an object exists when
 * its row exists. Bytes are written to a temporary file under `objects/pending/`
 * and fsynced (with its directory), then the row is committed, then the file is
 * renamed into `objects/<shard>/`. A crash before the commit leaves an unreferenced
 * pending file (deleted on next open); a crash after it leaves a referenced one
 * (moved into place on next open). Readers look in both places, so they never see
 * half an object nor miss a committed one.
 *
 * A file is a segment: a single put writes a segment of one object; the job
 * pipeline writes the signed objects of a whole batch into one segment, so a batch
 * costs one file fsync instead of one per job. Versions are immutable, so a segment
 * is deleted only when no row references it any more.
 */
export class Buckets {
  readonly dirs: SegmentDirs;

  constructor(
    private readonly db: Db,
    dataDir: string,
  ) {
    this.dirs = segmentDirs(dataDir);
    mkdirSync(this.dirs.pending, { recursive: true, mode: 0o700 });
    // All 256 shards up front, so publishing a file is a bare rename.
    for (let i = 0; i < 256; i++)
      mkdirSync(join(this.dirs.root, i.toString(16).padStart(2, '0')), {
        recursive: true,
        mode: 0o700,
      });
  }

  createBucket(accountId: string, bucket: string): void {
    checkAccountId('accountId', accountId);
    checkBucketName(bucket);
    immediate(this.db, () => {
      const exists = stmt(this.db, 'SELECT 1 FROM buckets WHERE account = ? AND name = ?').get(
        accountId,
        bucket,
      );
      if (exists)
        throw new BucketError(
          'BucketAlreadyOwnedByYou',
          409,
          `bucket "${bucket}" already exists in account ${accountId}`,
        );
      stmt(
        this.db,
        'INSERT INTO buckets (account, name, versioning, created_at) VALUES (?, ?, NULL, ?)',
      ).run(accountId, bucket, Date.now());
    });
  }

  listBuckets(accountId: string): Array<{ name: string; creationDate: Date }> {
    const rows = stmt(
      this.db,
      'SELECT name, created_at FROM buckets WHERE account = ? ORDER BY name',
    ).all(accountId) as Array<{ name: string; created_at: number }>;
    return rows.map((r) => ({ name: r.name, creationDate: new Date(r.created_at) }));
  }

  putBucketVersioning(accountId: string, bucket: string, status: VersioningStatus): void {
    if (status !== 'Enabled' && status !== 'Suspended') {
      throw new BucketError(
        'MalformedXML',
        400,
        `versioning status: expected "Enabled" or "Suspended", got ${JSON.stringify(status)}`,
      );
    }
    const r = stmt(this.db, 'UPDATE buckets SET versioning = ? WHERE account = ? AND name = ?').run(
      status,
      accountId,
      bucket,
    );
    if (r.changes === 0) throw noSuchBucket(bucket);
  }

  getBucketVersioning(accountId: string, bucket: string): { status?: VersioningStatus } {
    const row = this.bucketRow(accountId, bucket);
    return row.versioning ? { status: row.versioning as VersioningStatus } : {};
  }

  putObject(
    accountId: string,
    bucket: string,
    key: string,
    body: Uint8Array,
  ): { versionId: string; etag: string } {
    checkKey(key);
    if (!(body instanceof Uint8Array))
      throw new TypeError(`putObject: "body" expected Uint8Array, got ${typeof body}`);
    this.bucketRow(accountId, bucket);
    const seg = this.writeSegmentSync([body]);
    const part = seg.parts[0]!;
    const { versionId } = commitIntoSegment(
      this.dirs,
      seg.file,
      () =>
        immediate(this.db, () =>
          insertObjectVersion(this.db, seg.file, part, accountId, bucket, key),
        ),
      (v) => ({ referenced: true, replaced: v.replacedFiles }),
    );
    return { versionId, etag: part.etag };
  }

  getObject(accountId: string, bucket: string, key: string, versionId?: string): GetObjectResult {
    const row = this.findVersion(accountId, bucket, key, versionId);
    if (!row) {
      // Checked only on a miss, so a hit costs no extra query: S3 names a missing bucket first.
      this.bucketRow(accountId, bucket);
      throw versionId === undefined
        ? new BucketError(
            'NoSuchKey',
            404,
            `key ${JSON.stringify(key)} does not exist in bucket "${bucket}"`,
          )
        : new BucketError(
            'NoSuchVersion',
            404,
            `version ${JSON.stringify(versionId)} of key ${JSON.stringify(key)} does not exist in bucket "${bucket}"`,
          );
    }
    const body = this.readBody(row);
    return {
      body,
      versionId: row.version_id,
      etag:
        row.etag === ETAG_NOT_YET
          ? this.rememberEtags([{ seq: row.seq, etag: etagOf(body) }])[0]!.etag
          : row.etag,
      lastModified: new Date(row.created_at),
      contentLength: row.size,
    };
  }

  listObjectVersions(
    accountId: string,
    bucket: string,
    opts: { prefix?: string; maxKeys?: number; keyMarker?: string; versionIdMarker?: string } = {},
  ): {
    versions: ObjectVersionSummary[];
    isTruncated: boolean;
    nextKeyMarker?: string;
    nextVersionIdMarker?: string;
  } {
    this.bucketRow(accountId, bucket);
    const maxKeys = opts.maxKeys ?? 1000;
    if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000) {
      throw new BucketError(
        'InvalidArgument',
        400,
        `maxKeys: expected an integer from 1 to 1000, got ${maxKeys}`,
      );
    }
    const prefix = opts.prefix ?? '';
    let markerSeq: number | undefined;
    if (opts.keyMarker !== undefined && opts.versionIdMarker !== undefined) {
      const m = this.findVersion(accountId, bucket, opts.keyMarker, opts.versionIdMarker);
      if (!m)
        throw new BucketError(
          'InvalidArgument',
          400,
          `versionIdMarker: ${JSON.stringify(opts.versionIdMarker)} is not a version of ${JSON.stringify(opts.keyMarker)}`,
        );
      markerSeq = m.seq;
    }
    const km = opts.keyMarker ?? '';
    const rows = stmt(
      this.db,
      `SELECT seq, key, version_id, file, offset, etag, size, created_at,
                seq = (SELECT max(o2.seq) FROM objects o2 WHERE o2.account = o.account AND o2.bucket = o.bucket AND o2.key = o.key) AS latest
           FROM objects o
          WHERE account = ? AND bucket = ? AND substr(key, 1, length(?)) = ?
            AND (key > ? OR (key = ? AND ? IS NOT NULL AND seq < ?))
          ORDER BY key ASC, seq DESC LIMIT ?`,
    ).all(
      accountId,
      bucket,
      prefix,
      prefix,
      km,
      km,
      markerSeq ?? null,
      markerSeq ?? 0,
      maxKeys + 1,
    ) as Array<ObjectRow & { latest: number }>;
    const page = rows.slice(0, maxKeys);
    const computed = new Map(
      this.rememberEtags(
        page
          .filter((r) => r.etag === ETAG_NOT_YET)
          .map((r) => ({ seq: r.seq, etag: etagOf(this.readBody(r)) })),
      ).map((e) => [e.seq, e.etag]),
    );
    const versions = page.map((r) => ({
      key: r.key,
      versionId: r.version_id,
      isLatest: r.latest === 1,
      lastModified: new Date(r.created_at),
      size: r.size,
      etag: computed.get(r.seq) ?? r.etag,
    }));
    const last = page[page.length - 1];
    if (rows.length > maxKeys && last) {
      return {
        versions,
        isTruncated: true,
        nextKeyMarker: last.key,
        nextVersionIdMarker: last.version_id,
      };
    }
    return { versions, isTruncated: false };
  }

  /**
   * Keeps ETags computed on read. Only a cache (a lost update costs one MD5 on the next read), so
   * it is committed without an fsync, and a write lock held by another process is no reason to
   * fail the read.
   */
  private rememberEtags<T extends { seq: number; etag: string }>(computed: T[]): T[] {
    if (computed.length === 0) return computed;
    try {
      withoutFsync(this.db, () =>
        immediate(this.db, () => {
          for (const c of computed)
            stmt(this.db, 'UPDATE objects SET etag = ? WHERE seq = ? AND etag = ?').run(
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

  // ---- used by the job pipeline -------------------------------------------------

  /** Bucket row or NoSuchBucket. */
  bucketRow(accountId: string, bucket: string): { versioning: string | null } {
    return bucketRowOf(this.db, accountId, bucket);
  }

  /** A signing job's lookups in one query: the source bucket's versioning, the source version, whether the destination bucket exists. */
  versionWithDestination(
    accountId: string,
    bucket: string,
    key: string,
    versionId: string,
    destination: string,
  ):
    | {
        versioning: string | null;
        object?: { file: string; offset: number; size: number };
        destinationExists: boolean;
      }
    | undefined {
    const row = stmt(
      this.db,
      `SELECT b.versioning, o.file, o.offset, o.size, EXISTS (SELECT 1 FROM buckets d WHERE d.account = b.account AND d.name = ?) AS destination_exists
         FROM buckets b LEFT JOIN objects o ON o.account = b.account AND o.bucket = b.name AND o.key = ? AND o.version_id = ?
        WHERE b.account = ? AND b.name = ?`,
    ).get(destination, key, versionId, accountId, bucket) as
      | {
          versioning: string | null;
          file: string | null;
          offset: number | null;
          size: number | null;
          destination_exists: number;
        }
      | undefined;
    if (!row) return undefined;
    return {
      versioning: row.versioning,
      ...(row.file === null
        ? {}
        : { object: { file: row.file, offset: row.offset!, size: row.size! } }),
      destinationExists: row.destination_exists === 1,
    };
  }

  findVersion(
    accountId: string,
    bucket: string,
    key: string,
    versionId?: string,
  ): ObjectRow | undefined {
    const sql =
      versionId === undefined
        ? 'SELECT * FROM objects WHERE account = ? AND bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1'
        : 'SELECT * FROM objects WHERE account = ? AND bucket = ? AND key = ? AND version_id = ?';
    const args =
      versionId === undefined ? [accountId, bucket, key] : [accountId, bucket, key, versionId];
    return stmt(this.db, sql).get(...args) as ObjectRow | undefined;
  }

  /**
   * Opens a committed segment wherever it is: a segment is committed before its writer (possibly
   * another process) renames it from pending/ into place, so it can be in either, and the rename
   * can land between the two opens: then the final path is tried once more.
   */
  private openSegment(file: string): number {
    const paths = [finalPath(this.dirs, file), join(this.dirs.pending, file)];
    for (const path of [...paths, paths[0]!]) {
      try {
        return openSync(path, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    throw new Error(`segment ${file} of a committed object is in neither ${paths.join(' nor ')}`);
  }

  /** The bytes of one object version. */
  readBody(row: { file: string; offset: number; size: number }): Uint8Array {
    const fd = this.openSegment(row.file);
    try {
      // Every byte is read into it below, so it need not be zeroed first.
      const out = Buffer.allocUnsafeSlow(row.size);
      let got = 0;
      while (got < row.size) {
        const n = readSync(fd, out, got, row.size - got, row.offset + got);
        if (n === 0)
          throw new Error(
            `object file ${row.file}: expected ${row.size} bytes at offset ${row.offset}, file ended after ${got}`,
          );
        got += n;
      }
      return out;
    } finally {
      closeSync(fd);
    }
  }

  writeSegmentSync(bodies: readonly Uint8Array[]): Segment {
    const seg = layout(bodies);
    writePendingSegment(this.dirs, seg.file, bodies);
    return seg;
  }

  /**
   * Crash recovery, run on open: a pending file whose row was committed is moved
   * into place; one without a row is deleted. Files of another live process that
   * are younger than the grace period are skipped: that process may be mid-job.
   */
  sweepPending(now = Date.now()): { published: number; deleted: number } {
    let published = 0;
    let deleted = 0;
    const referenced = stmt(this.db, 'SELECT 1 FROM objects WHERE file = ?');
    for (const file of readdirSync(this.dirs.pending)) {
      const path = join(this.dirs.pending, file);
      const pid = Number(file.split('-', 1)[0]);
      if (processAlive(pid)) {
        let age: number;
        try {
          age = now - statSync(path).mtimeMs;
        } catch {
          continue;
        }
        if (age < PENDING_GRACE_MS) continue;
      }
      // Another process may be sweeping the same directory: a file gone meanwhile is fine.
      if (referenced.get(file)) {
        if (!existsSync(finalPath(this.dirs, file))) {
          publishSegment(this.dirs, file);
          published++;
        } else {
          unlinkQuiet(path);
        }
      } else if (unlinkQuiet(path)) {
        deleted++;
      }
    }
    if (published + deleted > 0) fsyncDirSync(this.dirs.pending);
    return { published, deleted };
  }
}

/**
 * Inserts the row that makes one part of a pending segment visible. Must run
 * inside the caller's transaction. An unversioned or suspended bucket keeps one
 * "null" version per key, as S3 does; a segment left without any row by that
 * replacement is returned for deletion after commit.
 */
function bucketRowOf(db: Db, accountId: string, bucket: string): { versioning: string | null } {
  const row = stmt(db, 'SELECT versioning FROM buckets WHERE account = ? AND name = ?').get(
    accountId,
    bucket,
  ) as { versioning: string | null } | undefined;
  if (!row) throw noSuchBucket(bucket);
  return row;
}

export function insertObjectVersion(
  db: Db,
  file: string,
  part: SegmentPart,
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
        old.file !== file &&
        !stmt(db, 'SELECT 1 FROM objects WHERE file = ? LIMIT 1').get(old.file)
      )
        replacedFiles.push(old.file);
    }
  }
  stmt(
    db,
    'INSERT INTO objects (account, bucket, key, version_id, file, offset, etag, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(accountId, bucket, key, versionId, file, part.offset, part.etag, part.size, Date.now());
  return { versionId, replacedFiles };
}

/** Parts of a segment written by a signing job: their ETags are left to the first read. */
export function pendingParts(bodies: readonly Uint8Array[]): SegmentPart[] {
  return partsOf(
    bodies.map((b) => b.length),
    bodies.map(() => ETAG_NOT_YET),
  );
}

function layout(bodies: readonly Uint8Array[]): Segment {
  return {
    file: newSegmentName(),
    parts: partsOf(
      bodies.map((b) => b.length),
      bodies.map(etagOf),
    ),
  };
}

function partsOf(sizes: readonly number[], etags: readonly string[]): SegmentPart[] {
  let offset = 0;
  return sizes.map((size, i) => {
    const part = { offset, size, etag: etags[i]! };
    offset += size;
    return part;
  });
}

const VERSION_ID_BYTES = 24;
const versionIdPool = Buffer.allocUnsafeSlow(VERSION_ID_BYTES * 256);
let versionIdAt = versionIdPool.length;

/** 24 random bytes, base64url. Drawn from a pool refilled 256 ids at a time: one randomBytes call per job cost more than the rest of the row's insert. */
function newVersionId(): string {
  if (versionIdAt === versionIdPool.length) {
    randomFillSync(versionIdPool);
    versionIdAt = 0;
  }
  versionIdAt += VERSION_ID_BYTES;
  return versionIdPool.toString('base64url', versionIdAt - VERSION_ID_BYTES, versionIdAt);
}

function unlinkQuiet(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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

function checkKey(key: unknown): string {
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
