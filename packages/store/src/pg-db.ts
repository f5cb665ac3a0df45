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
/**
 * A writing transaction's start: BEGIN and the write lock in one round trip (without parameters,
 * `pg` sends it by the simple query protocol, which takes several statements).
 */
const BEGIN_LOCKED = `BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`;

function asSqliteAnswers(row: Record<string, unknown>): Record<string, unknown> {
  for (const k in row) {
    const v = row[k];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v))
      row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    else if (typeof v === 'boolean') row[k] = v ? 1 : 0;
  }
  return row;
}

/** The statements as they cross to the connection's thread (which numbers or inlines them: pg-sync-worker.ts). */
const copies = (
  statements: ReadonlyArray<{ sql: string; params: unknown[] }>,
): Array<{ sql: string; params: unknown[] }> =>
  statements.map((st) => ({ sql: st.sql, params: st.params.slice() }));

const aheadKey = (sql: string, params: readonly unknown[]): string =>
  `${sql}\0${JSON.stringify(params)}`;

class PgStatement implements Statement {
  readonly reader: boolean;
  private readonly writes: boolean;
  private readonly text: string;
  private readonly names: string[];

  constructor(
    private readonly conn: PgSyncConnection,
    private readonly db: PgDb,
    private readonly sql: string,
  ) {
    const p = positional(sql);
    this.text = toNumbered(p.sql);
    this.names = p.names;
    this.reader = /^\s*(select|with)\b/i.test(sql) || /\breturning\b/i.test(sql);
    // Anything that may change a row: what was read ahead may no longer be what a read would see.
    this.writes = !this.reader || /\b(insert|update|delete)\b/i.test(sql);
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

  private query(params: unknown[]): { rows: Record<string, unknown>[]; changes: number } {
    // Outside a transaction a lost connection may be replaced first; inside one it may not.
    const fresh = !this.db.inTransaction;
    if (this.writes) this.db.dropAhead();
    if (this.names.length === 0) {
      const ahead = this.reader ? this.db.takeAhead(this.sql, params) : undefined;
      return ahead ? { rows: ahead, changes: 0 } : this.conn.query(this.text, params, fresh);
    }
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
  /** readAhead's answers not yet taken, by aheadKey, and the transaction they were read in. */
  private ahead: { scope: number; answers: Map<string, Record<string, unknown>[]> } | undefined;
  /** The open transaction's number (0: none), so answers read ahead never cross into another. */
  private scope = 0;
  private transactions = 0;

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
    this.ahead = undefined;
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

  /**
   * Reads (`?` placeholders only) the caller is about to make, asked in one hand-off to the
   * connection's thread rather than one each: on a loaded machine each hand-off (this thread
   * asleep until the other posts back) cost more than the query. Each answer is taken once by the
   * same statement run with the same parameters, in the same transaction (or outside one, as
   * asked) and before this turn of the event loop ends; any write in between drops them all. So
   * an answer is what the read itself would have seen, read a moment earlier, and under the same
   * lock when asked inside a transaction.
   */
  readAhead(reads: ReadonlyArray<{ sql: string; params: unknown[] }>): void {
    const answers = this.conn.many(copies(reads), true, this.depth === 0);
    const ahead = new Map<string, Record<string, unknown>[]>();
    reads.forEach((r, i) => {
      const a = answers[i];
      if (a) ahead.set(aheadKey(r.sql, r.params), a.rows);
    });
    this.ahead = { scope: this.scope, answers: ahead };
    const mine = this.ahead;
    queueMicrotask(() => {
      if (this.ahead === mine) this.ahead = undefined;
    });
  }

  /** The rows readAhead got for this read in this scope, once. */
  takeAhead(sql: string, params: unknown[]): Record<string, unknown>[] | undefined {
    if (!this.ahead || this.ahead.scope !== this.scope) return undefined;
    const key = aheadKey(sql, params);
    const rows = this.ahead.answers.get(key);
    if (rows) this.ahead.answers.delete(key);
    return rows;
  }

  /** Forgets what was read ahead: something is about to change what it answered. */
  dropAhead(): void {
    this.ahead = undefined;
  }

  /**
   * Writes (`?` placeholders only) whose answers the caller does not look at before the last, in
   * one hand-off: run in order, stopping at the first failure, which is thrown. Their changes.
   */
  runAll(statements: ReadonlyArray<{ sql: string; params: unknown[] }>): number[] {
    this.ahead = undefined;
    return this.conn.many(copies(statements), false, this.depth === 0).map((a) => a?.changes ?? 0);
  }

  private within<T>(fn: () => T): T {
    // Nested, as better-sqlite3 nests: a savepoint inside the transaction already open.
    const outer = this.depth === 0;
    const savepoint = `s${this.depth}`;
    this.ahead = undefined;
    if (outer) this.scope = ++this.transactions;
    this.depth++;
    try {
      // BEGIN may go to a new connection if the last one was lost; a savepoint belongs to the open transaction.
      this.conn.query(outer ? BEGIN_LOCKED : `SAVEPOINT ${savepoint}`, [], outer);
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
      // What the transaction read ahead is not kept past it (a savepoint rolled back drops it too).
      this.ahead = undefined;
      if (outer) this.scope = 0;
    }
  }
}
