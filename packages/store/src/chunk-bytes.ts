/**
 * PostgreSQL's engine keeps object bytes in the database (pg-schema.ts): `object_chunks` rows of
 * at most 1 MiB naming their version's `objects.seq`, inserted in the same transaction as the row
 * (and, for a signing job, as the job's row), so a committed version always has its bytes and an
 * uncommitted one leaves none, whichever server wrote it and whatever happened to it. A replaced
 * "null" version's chunks go with its row (ON DELETE CASCADE). Nothing is kept on the local disk.
 *
 * A streamed put is staged, then committed. Its chunks go into `object_uploads` as they arrive,
 * each insert committed on its own, and the commit moves them under the new row's seq inside the
 * transaction that inserts it. Writing them straight into `object_chunks` in one transaction held
 * for the whole upload is what cannot be done: the store's transactions are synchronous and hold
 * the one write lock all servers take turns at (pg-db.ts), so a slow client would stop every
 * writer of every server for as long as it takes to send its body. Staged, memory stays bounded
 * (one chunk per upload), and the lock is held only for the copy inside the database. Staged rows
 * of an upload that never finished (a client gone, a server killed) are swept at open.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { stmt } from './db.js';
import { BucketError } from './errors.js';
import type { ObjectBytes, ObjectRef, ObjectUpload, StagedBodies } from './object-bytes.js';
import { PENDING_GRACE_MS } from './segment-files.js';
import { insertsOf } from './multi-row.js';
import { OBJECT_COLUMNS } from './object-rows.js';

/** Object bytes go in rows of at most this many: `store copy` fills object_chunks the same way. */
export const OBJECT_CHUNK_BYTES = 1024 * 1024;

const INSERT_CHUNK = 'INSERT INTO object_chunks (object_seq, n, bytes) VALUES (?, ?, ?)';

/** The object row's INSERT, then `then` with the new row as `o`: one statement, one round trip. */
const withRow = (insertRow: string, then: string): string =>
  `WITH o AS (${insertRow} RETURNING seq) ${then}`;

/**
 * A view's own bytes: a query's parameters are posted to the connection's thread, and posting a
 * view copies its whole ArrayBuffer, which for a chunk of a large body is the whole body.
 */
function own(view: Uint8Array): Uint8Array {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : view.slice();
}

/**
 * Inserts the object row with `body` as its chunks: the first (most signed objects' only one) in
 * the same statement as the row. An empty body is one empty chunk, as store copy writes it.
 */
function insertWithChunks(
  db: Db,
  insertRow: string,
  params: readonly unknown[],
  body: Uint8Array,
): void {
  const chunk = (n: number) =>
    own(body.subarray(n * OBJECT_CHUNK_BYTES, (n + 1) * OBJECT_CHUNK_BYTES));
  const { seq } = stmt(
    db,
    withRow(
      insertRow,
      'INSERT INTO object_chunks (object_seq, n, bytes) SELECT seq, 0, ? FROM o RETURNING object_seq AS seq',
    ),
  ).get(...params, chunk(0)) as { seq: number };
  for (let n = 1; n * OBJECT_CHUNK_BYTES < body.length; n++)
    stmt(db, INSERT_CHUNK).run(seq, n, chunk(n));
}

/** Bodies up to this size are kept by RecentBodies: a signing job's source is read again and again. */
const CACHED_BODY_MAX_BYTES = OBJECT_CHUNK_BYTES;
const CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Recently read bodies by their row's seq. A version's chunks never change once committed (the
 * row and its chunks are inserted in one transaction and deleted together; nothing updates them)
 * and PostgreSQL's identity column never hands out a seq twice, so a seq names one body for good.
 * The row itself is still read fresh by every caller (a deleted version is not found): only the
 * bytes are skipped, which on a 64 KiB source were the costliest read of a job (its bytes as hex
 * through the connection's thread). Copies in and out: a caller may write into what it is given.
 */
class RecentBodies {
  private readonly bodies = new Map<number, Buffer>();
  private bytes = 0;

  get(ref: ObjectRef): Buffer | undefined {
    const b = this.bodies.get(ref.seq);
    if (!b || b.length !== ref.size) return undefined;
    // Most recently used last, so the first in the map is the one to drop.
    this.bodies.delete(ref.seq);
    this.bodies.set(ref.seq, b);
    return Buffer.from(b);
  }

  keep(ref: ObjectRef, body: Buffer): void {
    if (body.length > CACHED_BODY_MAX_BYTES || this.bodies.has(ref.seq)) return;
    this.bodies.set(ref.seq, Buffer.from(body));
    this.bytes += body.length;
    for (const [seq, b] of this.bodies) {
      if (this.bytes <= CACHE_BYTES) break;
      this.bodies.delete(seq);
      this.bytes -= b.length;
    }
  }
}

/** The VALUES' types: PostgreSQL cannot tell a parameter's type from a column it is not inserted into directly. */
const VERSION_CASTS = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'bigint',
  'text',
  'bigint',
  'bigint',
  'bytea',
];

/**
 * The INSERTs of object rows (OBJECT_COLUMNS' values each) with their bodies of one chunk each,
 * for the caller's transaction: one statement per 3,000 objects for the rows and their chunks,
 * each with the number of chunks it must insert. `version_id`s must be new and distinct (a
 * versioned bucket's): they pair each row with its bytes.
 */
export function versionsWithBytes(
  versions: ReadonlyArray<{ row: readonly unknown[]; body: Uint8Array }>,
): Array<{ sql: string; params: unknown[]; inserts: number }> {
  const rows = versions.map((v) => [...v.row, v.body]);
  return insertsOf(
    'objects',
    rows,
    VERSION_CASTS,
    (values) =>
      `WITH v (${OBJECT_COLUMNS}, bytes) AS (VALUES ${values}),
            o AS (INSERT INTO objects (${OBJECT_COLUMNS}) SELECT ${OBJECT_COLUMNS} FROM v RETURNING seq, version_id)
       INSERT INTO object_chunks (object_seq, n, bytes) SELECT o.seq, 0, v.bytes FROM o JOIN v ON v.version_id = o.version_id`,
  ).map((st) => ({ ...st, inserts: st.params.length / VERSION_CASTS.length }));
}

export class ChunkBytes implements ObjectBytes {
  private readonly recent = new RecentBodies();

  constructor(private readonly db: Db) {}

  stage(bodies: readonly Uint8Array[], etags: readonly string[]): StagedBodies {
    // Nothing to write ahead: the bytes go in with their rows, in one transaction.
    return {
      parts: bodies.map((body, i) => ({
        file: '',
        offset: 0,
        size: body.length,
        etag: etags[i]!,
        ...(body.length <= OBJECT_CHUNK_BYTES ? { body: own(body) } : {}),
        insert: (db: Db, insertRow: string, params: readonly unknown[]) =>
          insertWithChunks(db, insertRow, params, body),
      })),
    };
  }

  commit<T>(staged: StagedBodies | undefined, commit: () => T): T {
    try {
      return commit();
    } catch (err) {
      staged?.discard?.();
      throw err;
    }
  }

  read(ref: ObjectRef): Uint8Array {
    const cached = this.recent.get(ref);
    if (cached) return cached;
    const chunks = stmt(
      this.db,
      'SELECT n, bytes FROM object_chunks WHERE object_seq = ? ORDER BY n',
    ).all(ref.seq) as Array<{ n: number; bytes: Buffer }>;
    const body = Buffer.concat(chunks.map((c) => c.bytes));
    if (body.length !== ref.size || chunks.some((c, i) => c.n !== i))
      throw new Error(
        `object ${ref.seq}: expected ${ref.size} bytes in its chunks, found ${body.length} in chunks ${chunks.map((c) => c.n).join(',') || '(none)'}`,
      );
    this.recent.keep(ref, body);
    return body;
  }

  upload(): Promise<ObjectUpload> {
    return Promise.resolve(new ChunkUpload(this.db));
  }

  sweep(now: number): { published: number; deleted: number } {
    const gone = stmt(
      this.db,
      `DELETE FROM object_uploads WHERE upload_id IN
         (SELECT upload_id FROM object_uploads GROUP BY upload_id HAVING max(created_at) < ?)
       RETURNING upload_id`,
    ).all(now - PENDING_GRACE_MS) as Array<{ upload_id: string }>;
    return { published: 0, deleted: new Set(gone.map((g) => g.upload_id)).size };
  }
}

/** One streamed put's chunks, staged in object_uploads as they fill. */
class ChunkUpload implements ObjectUpload {
  private readonly id = randomBytes(16).toString('hex');
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private staged = 0;
  private chunks = 0;
  private readonly md5 = createHash('md5');

  constructor(private readonly db: Db) {}

  get size(): number {
    return this.staged + this.heldBytes;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return Promise.resolve();
    this.md5.update(bytes);
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    while (this.heldBytes >= OBJECT_CHUNK_BYTES) {
      const all = Buffer.concat(this.held, this.heldBytes);
      this.stageChunk(all.subarray(0, OBJECT_CHUNK_BYTES));
      const rest = all.subarray(OBJECT_CHUNK_BYTES);
      this.held = rest.length > 0 ? [rest] : [];
      this.heldBytes = rest.length;
    }
    return Promise.resolve();
  }

  finish(): Promise<{ md5: Buffer; staged: StagedBodies }> {
    if (this.heldBytes > 0 || this.chunks === 0)
      this.stageChunk(Buffer.concat(this.held, this.heldBytes));
    this.held = [];
    this.heldBytes = 0;
    const md5 = this.md5.digest();
    const count = this.chunks;
    return Promise.resolve({
      md5,
      staged: {
        parts: [
          {
            file: '',
            offset: 0,
            size: this.staged,
            etag: `"${md5.toString('hex')}"`,
            insert: (db: Db, insertRow: string, params: readonly unknown[]) =>
              this.insertWithStaged(db, insertRow, params, count),
          },
        ],
        discard: () => this.drop(),
      },
    });
  }

  abort(): Promise<void> {
    this.held = [];
    this.heldBytes = 0;
    this.drop();
    return Promise.resolve();
  }

  private stageChunk(bytes: Uint8Array): void {
    stmt(
      this.db,
      'INSERT INTO object_uploads (upload_id, n, bytes, created_at) VALUES (?, ?, ?, ?)',
    ).run(this.id, this.chunks, own(bytes), Date.now());
    this.chunks++;
    this.staged += bytes.length;
  }

  /** Inside the row's transaction: the row, and the staged chunks become its own. */
  private insertWithStaged(
    db: Db,
    insertRow: string,
    params: readonly unknown[],
    count: number,
  ): void {
    const moved = stmt(
      db,
      withRow(
        insertRow,
        'INSERT INTO object_chunks (object_seq, n, bytes) SELECT o.seq, u.n, u.bytes FROM o, object_uploads u WHERE u.upload_id = ?',
      ),
    ).run(...params, this.id).changes;
    // Only the sweep removes another's staged rows, after an upload idle past its grace period.
    if (moved !== count)
      throw new BucketError(
        'RequestTimeout',
        400,
        `the upload's staged bytes are gone: expected ${count} chunk(s), found ${moved} (an upload idle for over ${PENDING_GRACE_MS / 60_000} minutes is swept)`,
      );
    stmt(db, 'DELETE FROM object_uploads WHERE upload_id = ?').run(this.id);
  }

  private drop(): void {
    try {
      stmt(this.db, 'DELETE FROM object_uploads WHERE upload_id = ?').run(this.id);
    } catch {
      // The connection is gone: the sweep at the next open removes them.
    }
  }
}
