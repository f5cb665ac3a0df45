import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Db, Statement } from './db-interface.js';
import { PgDb } from './pg-db.js';
import { PG_MIGRATIONS, toPostgresDdl } from './pg-schema.js';
import { MIGRATIONS } from './schema.js';

export type { Db, Statement } from './db-interface.js';

/** A `postgres://` or `postgresql://` URL names a PostgreSQL database; anything else is a file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Reads about to be made, each as `stmt(db, sql).get/all(...params)` will make it, in the same
 * transaction (or outside one) and with nothing written in between: on PostgreSQL asked together,
 * in one round trip to the connection's thread (PgDb.readAhead); on SQLite nothing (a read there
 * is a function call).
 */
export function readAhead(db: Db, reads: ReadonlyArray<{ sql: string; params: unknown[] }>): void {
  if (db instanceof PgDb) db.readAhead(reads);
}

/**
 * Writes run in order, stopping at the first failure, which is thrown; their changes. On
 * PostgreSQL in one round trip to the connection's thread (PgDb.runAll).
 */
export function runAll(
  db: Db,
  statements: ReadonlyArray<{ sql: string; params: unknown[] }>,
): number[] {
  if (db instanceof PgDb) return db.runAll(statements);
  return statements.map((st) => db.prepare(st.sql).run(...st.params).changes);
}

export function dialectOf(db: Db): 'sqlite' | 'postgres' {
  return db instanceof PgDb ? 'postgres' : 'sqlite';
}

/** How long a writer waits for another process's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 10_000;
const BUSY_RETRIES = 8;

/**
 * Opens the database with durable settings: WAL (readers never block the writer,
 * another process can read while we write) and synchronous=FULL, so a committed
 * transaction survives power loss, not only a process crash.
 */
export function openDatabase(file: string): Db {
  if (isPostgresUrl(file)) {
    const db = new PgDb(file);
    try {
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  }
  // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the same mode.
  closeSync(openSync(file, 'a', 0o600));
  const db = connect(file);
  db.pragma('journal_mode = WAL');
  migrate(db);
  return db;
}

/** A further connection to a database openDatabase has set up (WAL, migrated): the commit worker's. */
export function connect(file: string): Db {
  if (isPostgresUrl(file)) return new PgDb(file);
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}

function migrate(db: Db): void {
  const postgres = dialectOf(db) === 'postgres';
  const table =
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;';
  // On PostgreSQL under the write lock: two servers starting together race at CREATE TABLE.
  if (postgres) immediate(db, () => db.exec(toPostgresDdl(table)));
  else retryBusy(() => db.exec(table));
  for (const m of postgres ? PG_MIGRATIONS : MIGRATIONS) {
    immediate(db, () => {
      // Re-checked inside the write lock: another process may have applied it meanwhile.
      const done = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
      if (done) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        Date.now(),
      );
    });
  }
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as {
    v: number | null;
  };
  return row.v ?? 0;
}

/** PostgreSQL's serialization_failure and deadlock_detected: the transaction is to be run again. */
const PG_RETRY = new Set(['40001', '40P01']);

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || PG_RETRY.has(code))
  );
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * SQLite's busy handler already waits BUSY_TIMEOUT_MS for a lock; a few cases
 * (a WAL snapshot that went stale, a checkpoint in another process) return
 * SQLITE_BUSY at once, so the whole transaction is retried after a short pause.
 */
function retryBusy<T>(fn: () => T): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || attempt >= BUSY_RETRIES) throw err;
      Atomics.wait(sleeper, 0, 0, 5 * 2 ** attempt + Math.floor(Math.random() * 10));
    }
  }
}

/** Runs fn in a BEGIN IMMEDIATE transaction (takes the write lock up front, so two processes never deadlock upgrading a read lock). */
export function immediate<T>(db: Db, fn: () => T): T {
  return retryBusy(() => db.transaction(fn).immediate());
}

const statements = new WeakMap<Db, Map<string, Statement>>();
const MAX_CACHED_STATEMENTS = 512;

/** Prepared statements are compiled once per connection and SQL text; better-sqlite3 does not cache them itself. */
export function stmt(db: Db, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/**
 * Runs fn (which commits) with synchronous = NORMAL: in WAL mode the commit is written but the WAL
 * is not fsynced, so it survives a process crash but maybe not a power cut. Only for rows that are
 * a cache of what can be computed again (the ETags kept on first read).
 */
export function withoutFsync<T>(db: Db, fn: () => T): T {
  // PostgreSQL's commit is durable whatever the row is worth; only SQLite's fsync is the cost here.
  if (dialectOf(db) === 'postgres') return fn();
  stmt(db, 'PRAGMA synchronous = NORMAL').run();
  try {
    return fn();
  } finally {
    stmt(db, 'PRAGMA synchronous = FULL').run();
  }
}
