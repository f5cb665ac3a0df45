import { expectBytes } from '@fwsign/signing-engine';
import { etagOf } from './etag.js';
import type { Db } from './db.js';
import { immediate, stmt } from './db.js';
import { BucketError, noSuchBucket } from './errors.js';
import type { ObjectBytes, ObjectRef, StagedBodies } from './object-bytes.js';
import { objectBytesFor } from './object-bytes-for.js';
import type { ObjectRow } from './object-rows.js';
import {
  bucketRowOf,
  checkBucketName,
  checkKey,
  ETAG_NOT_YET,
  insertObjectVersion,
  rememberEtags,
} from './object-rows.js';
import type { SegmentDirs } from './segment-files.js';
import { segmentDirs } from './segment-files.js';
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

/** How a streamed put is bounded and checked. */
export interface StreamedPutOptions {
  /** Largest object taken: more is EntityTooLarge, and nothing is kept. */
  maxBytes?: number;
  /** The 16-byte MD5 the client sent as Content-MD5: a different body is BadDigest, and nothing is kept. */
  contentMd5?: Uint8Array;
}

/**
 * Versioned buckets. The database is the index: an object exists when its row exists. Its bytes
 * are wherever the engine keeps them (object-bytes.ts: segment files beside SQLite, chunk rows in
 * PostgreSQL), staged before the transaction that inserts the row and settled after it, so a
 * reader never sees half an object nor misses a committed one.
 */
/** versionWithDestination's read (parameters: versionWithDestinationParams). */
export const VERSION_WITH_DESTINATION = `SELECT b.versioning, o.seq, o.file, o."offset", o.size, EXISTS (SELECT 1 FROM buckets d WHERE d.account = b.account AND d.name = ?) AS destination_exists
         FROM buckets b LEFT JOIN objects o ON o.account = b.account AND o.bucket = b.name AND o.key = ? AND o.version_id = ?
        WHERE b.account = ? AND b.name = ?`;

export function versionWithDestinationParams(
  accountId: string,
  bucket: string,
  key: string,
  versionId: string,
  destination: string,
): unknown[] {
  return [destination, key, versionId, accountId, bucket];
}

export class Buckets {
  /** Where SQLite's engine keeps segment files; nothing is made there on PostgreSQL. */
  readonly dirs: SegmentDirs;
  readonly bytes: ObjectBytes;

  constructor(
    private readonly db: Db,
    dataDir: string,
  ) {
    this.dirs = segmentDirs(dataDir);
    this.bytes = objectBytesFor(db, this.dirs, true);
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
    expectBytes('putObject', 'body', body);
    this.bucketRow(accountId, bucket);
    return this.commitObject(accountId, bucket, key, this.bytes.stage([body], [etagOf(body)]));
  }

  /**
   * putObject for bytes that arrive over time (an HTTP body): they are staged as they come (to
   * disk, or to PostgreSQL), never all in memory. The bucket and key are checked before the first
   * byte is taken. Nothing is kept (no row, no bytes) when `body` throws (a client gone, a bad
   * chunk signature, a hash that does not match), when it holds more than `maxBytes`, or when the
   * MD5 is not `contentMd5`; the version is committed as putObject commits it, its bytes durable
   * no later than its row.
   */
  async putObjectStream(
    accountId: string,
    bucket: string,
    key: string,
    body: AsyncIterable<Uint8Array>,
    opts: StreamedPutOptions = {},
  ): Promise<{ versionId: string; etag: string }> {
    checkKey(key);
    this.bucketRow(accountId, bucket);
    const upload = await this.bytes.upload();
    let staged: StagedBodies;
    try {
      for await (const bytes of body) {
        if (opts.maxBytes !== undefined && upload.size + bytes.length > opts.maxBytes)
          throw new BucketError(
            'EntityTooLarge',
            400,
            `Your proposed upload exceeds the maximum allowed object size of ${opts.maxBytes} bytes.`,
          );
        await upload.write(bytes);
      }
      const done = await upload.finish();
      // abort() below drops a finished upload too.
      if (opts.contentMd5 && !done.md5.equals(opts.contentMd5))
        throw new BucketError(
          'BadDigest',
          400,
          `The Content-MD5 you specified did not match what we received: expected ${Buffer.from(opts.contentMd5).toString('base64')}, the body's is ${done.md5.toString('base64')}.`,
        );
      staged = done.staged;
    } catch (err) {
      await upload.abort();
      throw err;
    }
    return this.commitObject(accountId, bucket, key, staged);
  }

  /** Makes one staged body a version of `key` (dropping what was staged if that fails). */
  private commitObject(
    accountId: string,
    bucket: string,
    key: string,
    staged: StagedBodies,
  ): { versionId: string; etag: string } {
    const part = staged.parts[0]!;
    const { versionId } = this.bytes.commit(
      staged,
      () => immediate(this.db, () => insertObjectVersion(this.db, part, accountId, bucket, key)),
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
          ? rememberEtags(this.db, [{ seq: row.seq, etag: etagOf(body) }])[0]!.etag
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
      `SELECT seq, key, version_id, file, "offset", etag, size, created_at,
                seq = (SELECT max(o2.seq) FROM objects o2 WHERE o2.account = o.account AND o2.bucket = o.bucket AND o2.key = o.key) AS latest
           FROM objects o
          WHERE account = ? AND bucket = ? AND substr(key, 1, length(?)) = ?
            AND (key > ? OR (key = ? AND seq < ?))
          ORDER BY key ASC, seq DESC LIMIT ?`,
    ).all(
      accountId,
      bucket,
      prefix,
      prefix,
      km,
      km,
      // Without a version marker, no version of the marker key itself: seqs start at 1.
      markerSeq ?? 0,
      maxKeys + 1,
    ) as Array<ObjectRow & { latest: number }>;
    const page = rows.slice(0, maxKeys);
    const computed = new Map(
      rememberEtags(
        this.db,
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
        object?: ObjectRef;
        destinationExists: boolean;
      }
    | undefined {
    const row = stmt(this.db, VERSION_WITH_DESTINATION).get(
      ...versionWithDestinationParams(accountId, bucket, key, versionId, destination),
    ) as
      | {
          versioning: string | null;
          seq: number | null;
          file: string | null;
          offset: number | null;
          size: number | null;
          destination_exists: number;
        }
      | undefined;
    if (!row) return undefined;
    return {
      versioning: row.versioning,
      ...(row.seq === null
        ? {}
        : { object: { seq: row.seq, file: row.file!, offset: row.offset!, size: row.size! } }),
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

  /** The bytes of one object version. */
  readBody(row: ObjectRef): Uint8Array {
    return this.bytes.read(row);
  }

  /** Crash recovery, run on open (see ObjectBytes.sweep). */
  sweepPending(now = Date.now()): { published: number; deleted: number } {
    return this.bytes.sweep(now);
  }
}
