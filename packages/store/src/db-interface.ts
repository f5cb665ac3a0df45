/**
 * The database the store's operations run on, as an interface both engines implement: better-sqlite3's
 * API (the subset the store uses), and pg-db.ts for PostgreSQL.
 */

/** A prepared statement, as better-sqlite3 has it (and pg-db.ts has it for PostgreSQL). */
export interface Statement {
  /** Whether it answers rows. */
  readonly reader: boolean;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/**
 * The database the store's operations run on: a better-sqlite3 connection, or PgDb (pg-db.ts),
 * the same calls on PostgreSQL. Only what the store uses of better-sqlite3's API.
 */
export interface Db {
  /** The file, or the postgres:// URL without its password: for messages. */
  readonly name: string;
  readonly inTransaction: boolean;
  prepare(sql: string): Statement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Only BEGIN IMMEDIATE transactions of a function without arguments (immediate() below). */
  transaction<T>(fn: () => T): { immediate(): T };
  close(): unknown;
}
