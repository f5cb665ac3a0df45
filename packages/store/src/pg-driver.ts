/**
 * The SQL access layer's PostgreSQL driver, over the maintained `pg` client: a pool of
 * connections (servers sharing one database each hold their own), each transaction on one
 * connection, BIGINT answered as a number and BYTEA as bytes, as the SQLite driver answers.
 */
import pg from 'pg';
import {
  redactUrl,
  bindable,
  SqlConflict,
  toNumbered,
  type SqlDriver,
  type SqlQueries,
  type SqlResult,
  type SqlRow,
  type SqlValue,
} from './sql-driver.js';

const INT8_OID = 20;

/** int8 as a number: the store's integers are millisecond times and counters, below 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return format === 'binary'
      ? (pg.types.getTypeParser(oid, 'binary') as (v: Buffer) => unknown)
      : (pg.types.getTypeParser(oid, 'text') as (v: string) => unknown);
  },
};

/** SQLSTATEs: unique_violation, deadlock_detected, serialization_failure. */
const UNIQUE_VIOLATION = '23505';
const RETRIED = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

function translate(err: unknown): unknown {
  const e = err as { code?: unknown; constraint?: string; message?: string };
  if (e?.code === UNIQUE_VIOLATION)
    return new SqlConflict(e.message ?? 'unique violation', e.constraint);
  return err;
}

function queriesOn(q: pg.Pool | pg.PoolClient): SqlQueries {
  async function query<R extends SqlRow>(
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<SqlResult<R>> {
    try {
      const r = await q.query<R>(toNumbered(sql), bindable(params));
      return { rows: r.rows, changes: r.command === 'SELECT' ? 0 : (r.rowCount ?? 0) };
    } catch (err) {
      throw translate(err);
    }
  }
  async function one<R extends SqlRow>(
    sql: string,
    params?: readonly SqlValue[],
  ): Promise<R | undefined> {
    const r = await query<R>(sql, params);
    return r.rows[0];
  }
  async function script(sql: string): Promise<void> {
    try {
      // No parameters: the simple query protocol, which takes several statements.
      await q.query(sql);
    } catch (err) {
      throw translate(err);
    }
  }
  return { query, one, script };
}

export class PgDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  private readonly pool: pg.Pool;
  private readonly direct: SqlQueries;

  constructor(url: string, opts: { maxConnections?: number } = {}) {
    this.location = redactUrl(url);
    this.pool = new pg.Pool({ connectionString: url, max: opts.maxConnections ?? 10, types });
    // An idle connection the server ended (a restart, a failover) is dropped, not fatal.
    this.pool.on('error', () => undefined);
    this.direct = queriesOn(this.pool);
  }

  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]) {
    return this.direct.query<R>(sql, params);
  }

  one<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]) {
    return this.direct.one<R>(sql, params);
  }

  script(sql: string): Promise<void> {
    return this.direct.script(sql);
  }

  async transaction<T>(fn: (tx: SqlQueries) => Promise<T>, lockKey?: number): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        if (lockKey !== undefined)
          await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
        const result = await fn(queriesOn(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && RETRIED.has(code) && attempt < MAX_ATTEMPTS) continue;
        throw err;
      } finally {
        // A connection whose rollback failed is in an unknown state: closed, not reused.
        client.release(broken instanceof Error ? broken : undefined);
      }
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
