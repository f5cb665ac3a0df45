/**
 * Where object versions keep their bytes: the one seam between the buckets' logic (buckets.ts,
 * batch-commit.ts: rows, versions, transactions, written once) and the engine. SQLite's engine
 * keeps them in segment files under `<dataDir>/objects` (segment-bytes.ts); PostgreSQL's in
 * `object_chunks` rows (chunk-bytes.ts), so servers sharing the database share nothing else.
 *
 * objectBytesFor (object-bytes-for.ts) picks one by the database's dialect.
 *
 * Either way a body is staged before the transaction that inserts its row, and is an object only
 * once that row is committed: a crash or a failure in between leaves nothing a reader can see.
 */
import type { Db } from './db.js';

/** Where one object version's bytes are: the columns of its `objects` row that say so. */
export interface ObjectRef {
  seq: number;
  file: string;
  offset: number;
  size: number;
}

/** One body staged ahead of its row: the row's columns, and what inserting the row must also do. */
export interface StagedPart {
  /** The segment file (SQLite); empty on PostgreSQL, where the row's seq names the bytes. */
  file: string;
  offset: number;
  size: number;
  /** The ETag, or ETAG_NOT_YET (object-rows.ts) for a signed object, computed on first read. */
  etag: string;
  /**
   * PostgreSQL: inserts the row itself, inside the row's transaction, given the row's INSERT
   * statement and its parameters, so that its bytes' rows go in with it (one statement).
   */
  insert?(db: Db, insertRow: string, params: readonly unknown[]): void;
  /**
   * PostgreSQL, a body that fits one chunk: its bytes, so that a batch's objects can go in with
   * one statement for all of them (chunk-bytes.ts insertVersionsWithBytes) rather than `insert`'s one each.
   */
  body?: Uint8Array;
}

/** Bodies staged together (one segment on SQLite), one part each. */
export interface StagedBodies {
  /** The segment holding them (SQLite only). */
  file?: string;
  parts: StagedPart[];
  /** Drops what was staged when no row will point at it (PostgreSQL's uploads). */
  discard?(): void;
}

/** An object's bytes arriving over time (putObjectStream), bounded in memory whatever the size. */
export interface ObjectUpload {
  /** Bytes taken so far. */
  readonly size: number;
  /** Takes the next bytes; they must not change afterwards (they may be held until the next write). */
  write(bytes: Uint8Array): Promise<void>;
  /** Stages what is held, durable where it waits for its row, and says what it took. */
  finish(): Promise<{ md5: Buffer; staged: StagedBodies }>;
  /** Leaves nothing behind; safe to call at any point, and again. */
  abort(): Promise<void>;
}

export interface ObjectBytes {
  /** Before the transaction: the bodies made durable where they wait for their rows. */
  stage(bodies: readonly Uint8Array[], etags: readonly string[]): StagedBodies;
  /**
   * Runs `commit`, the transaction inserting the rows that point at `staged` (none staged: a batch
   * without objects). If it fails, what was staged is dropped. After it, `refs` says whether a
   * committed row points at the staged bytes and which segment files replaced "null" versions
   * left unreferenced: SQLite's engine deletes or publishes files accordingly; PostgreSQL's has
   * nothing to do (a replaced version's chunks went with its row: ON DELETE CASCADE).
   */
  commit<T>(
    staged: StagedBodies | undefined,
    commit: () => T,
    refs: (committed: T) => { referenced: boolean; replaced: string[] },
  ): T;
  /** The bytes of one committed version. */
  read(ref: ObjectRef): Uint8Array;
  /** Starts a streamed put's bytes. */
  upload(): Promise<ObjectUpload>;
  /** Crash recovery, run on open: drops what a dead writer staged and never committed. */
  sweep(now: number): { published: number; deleted: number };
}
