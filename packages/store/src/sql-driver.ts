/**
 * The asynchronous SQL access layer the store's engines share: one interface, a driver for SQLite
 * (better-sqlite3, sqlite-driver.ts) and one for PostgreSQL (pg, pg-driver.ts). Queries are
 * written once, with `?` placeholders and the SQL both engines take (ON CONFLICT … DO NOTHING,
 * RETURNING); what differs between them is decided here and in the drivers, nowhere else:
 *
 * - placeholders: `?` is rewritten to `$1…$n` for PostgreSQL (toNumbered);
 * - bytes: parameters are Uint8Array; both drivers answer BLOB / BYTEA columns as Uint8Array;
 * - integers: PostgreSQL's BIGINT (int8) comes back as a JavaScript number, as SQLite's INTEGER
 *   does (timestamps in ms and sequence numbers stay far below 2^53);
 * - a unique-constraint violation is a SqlConflict, whichever engine raised it.
 */

export type SqlValue = string | number | Uint8Array | null;
export type SqlRow = Record<string, unknown>;

export interface SqlResult<R extends SqlRow = SqlRow> {
  rows: R[];
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** What a query runs on: the driver itself, or a transaction it opened. */
export interface SqlQueries {
  query<R extends SqlRow = SqlRow>(
    sql: string,
    params?: readonly SqlValue[],
  ): Promise<SqlResult<R>>;
  one<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined>;
  /** Several statements without parameters (a migration's DDL). */
  script(sql: string): Promise<void>;
}

export interface SqlDriver extends SqlQueries {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data is, for messages: a file path, or a postgres:// URL without its password. */
  readonly location: string;
  /**
   * Runs fn in one transaction: committed (durably: synchronous=FULL, or PostgreSQL's commit)
   * when fn resolves, rolled back when it rejects. `lockKey` takes an exclusive lock for the
   * transaction first (PostgreSQL's advisory lock; SQLite's write lock), so servers sharing the
   * database take turns at what must not interleave (migrations, key checks).
   */
  transaction<T>(fn: (tx: SqlQueries) => Promise<T>, lockKey?: number): Promise<T>;
  close(): Promise<void>;
}

/** Parameters as both clients bind bytes: Buffers (a plain Uint8Array view is wrapped, not copied). */
export function bindable(params: readonly SqlValue[]): unknown[] {
  return params.map((p) =>
    p instanceof Uint8Array && !Buffer.isBuffer(p)
      ? Buffer.from(p.buffer, p.byteOffset, p.byteLength)
      : p,
  );
}

/** A unique or primary-key constraint refused a row: another writer got there first. */
export class SqlConflict extends Error {
  readonly code = 'SqlConflict';
  constructor(
    message: string,
    /** The constraint or index that refused it, where the engine names it. */
    readonly constraint?: string,
  ) {
    super(message);
    this.name = 'SqlConflict';
  }
}

/**
 * `?` placeholders to PostgreSQL's `$1…$n`, leaving string literals, quoted identifiers and
 * comments alone, so the queries are written once.
 */
export function toNumbered(sql: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) throw new SyntaxError(`toNumbered: unterminated ${c} in ${JSON.stringify(sql)}`);
      out += sql.slice(i, end + 1);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      out += `$${++n}`;
    } else {
      out += c;
    }
  }
  return out;
}

/** A postgres:// URL as messages may show it: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable database URL)';
  }
}
