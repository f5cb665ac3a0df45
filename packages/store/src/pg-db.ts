/**
 * The store's database interface (db.ts `Db`) on PostgreSQL: the statements and transactions the
 * store's operations run on SQLite, run on one PostgreSQL connection (pg-sync.ts). Queries are
 * written once, in SQL both engines take; what this adapter changes is only what cannot be:
 *
 * - placeholders: `?` becomes `$1…$n` (toNumbered);
 * - answers: BYTEA comes back as a Buffer and BIGINT as a number, as better-sqlite3 answers, and a
 *   boolean (EXISTS, comparisons) as 1 or 0, since SQLite has no booleans;
 * - transactions: the store's are BEGIN IMMEDIATE on SQLite, which takes the database's one write
 *   lock up front, and their read-then-write rules (a token already used, a revision id that moved,
 *   a name taken) rely on it. Here each takes one transaction-scoped advisory lock first, so the
 *   servers sharing the database take turns at writing exactly as SQLite's processes do, and
 *   those rules hold across servers unchanged. Reads outside a transaction take no lock.
 */
import type { Db, Statement } from './db-interface.js';
import { PgSyncConnection } from './pg-sync.js';
import { positional, toNumbered } from './pg-placeholders.js';

/** The one write lock's advisory-lock key (any fixed number: "fwsg"), taken by every writing transaction. */
const WRITE_LOCK = 0x66777367;

function asSqliteAnswers(row: Record<string, unknown>): Record<string, unknown> {
  for (const k in row) {
    const v = row[k];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v))
      row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    else if (typeof v === 'boolean') row[k] = v ? 1 : 0;
  }
  return row;
}

class PgStatement implements Statement {
  readonly reader: boolean;
  private readonly text: string;
  private readonly names: string[];

  constructor(
    private readonly conn: PgSyncConnection,
    private readonly db: PgDb,
    sql: string,
  ) {
    const p = positional(sql);
    this.text = toNumbered(p.sql);
    this.names = p.names;
    this.reader = /^\s*(select|with)\b/i.test(sql) || /\breturning\b/i.test(sql);
  }

  get(...params: unknown[]): unknown {
    const row = this.query(params).rows[0];
    return row && asSqliteAnswers(row);
  }

  all(...params: unknown[]): unknown[] {
    return this.query(params).rows.map(asSqliteAnswers);
  }

  run(...params: unknown[]): { changes: number } {
    return { changes: this.query(params).changes };
  }

  private query(params: unknown[]) {
    // Outside a transaction a lost connection may be replaced first; inside one it may not.
    const fresh = !this.db.inTransaction;
    if (this.names.length === 0) return this.conn.query(this.text, params, fresh);
    const named = params[0] as Record<string, unknown>;
    return this.conn.query(
      this.text,
      this.names.map((n) => {
        if (!(n in named)) throw new RangeError(`Missing named parameter "${n}"`);
        return named[n];
      }),
      fresh,
    );
  }

  iterate(...params: unknown[]): IterableIterator<unknown> {
    return this.all(...params)[Symbol.iterator]();
  }
}

export class PgDb implements Db {
  readonly dialect = 'postgres' as const;
  private readonly conn: PgSyncConnection;
  private depth = 0;

  constructor(url: string) {
    this.conn = new PgSyncConnection(url);
  }

  /** Where the data is, for messages: the URL without its password. */
  get name(): string {
    return this.conn.location;
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  prepare(sql: string): Statement {
    return new PgStatement(this.conn, this, sql);
  }

  exec(sql: string): void {
    this.conn.script(sql, this.depth === 0);
  }

  pragma(source: string): never {
    throw new Error(`PRAGMA ${source}: a SQLite setting, not PostgreSQL's (${this.name})`);
  }

  transaction<T>(fn: () => T): { immediate(): T } {
    return { immediate: () => this.within(fn) };
  }

  close(): void {
    this.conn.close();
  }

  private within<T>(fn: () => T): T {
    // Nested, as better-sqlite3 nests: a savepoint inside the transaction already open.
    const outer = this.depth === 0;
    const savepoint = `s${this.depth}`;
    // BEGIN may go to a new connection if the last one was lost; a savepoint belongs to the open transaction.
    this.conn.query(outer ? 'BEGIN' : `SAVEPOINT ${savepoint}`, [], outer);
    this.depth++;
    try {
      if (outer) this.conn.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const result = fn();
      if (result instanceof Promise)
        throw new TypeError(
          'a store transaction must not be async: it would hold the write lock across awaits',
        );
      this.conn.query(outer ? 'COMMIT' : `RELEASE SAVEPOINT ${savepoint}`, []);
      return result;
    } catch (err) {
      try {
        this.conn.query(outer ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${savepoint}`, []);
      } catch {
        // The connection failed; the server rolls the transaction back when it sees it gone,
        // and the caller gets the error that ended it, never a success.
      }
      throw err;
    } finally {
      this.depth--;
    }
  }
}
