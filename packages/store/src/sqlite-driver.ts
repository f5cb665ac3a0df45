/**
 * The SQL access layer's SQLite driver: better-sqlite3 on a connection db.ts opened (WAL,
 * synchronous=FULL, migrated). better-sqlite3 runs each statement at once; a transaction whose
 * body awaits must still own the connection until it ends, so every use of the connection waits
 * its turn (a transaction is BEGIN IMMEDIATE … COMMIT around the whole body).
 */
import type { Db } from './db.js';
import { isBusy, stmt } from './db.js';
import {
  bindable,
  SqlConflict,
  type SqlDriver,
  type SqlQueries,
  type SqlResult,
  type SqlRow,
  type SqlValue,
} from './sql-driver.js';

function translate(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    return new SqlConflict((err as Error).message);
  return err;
}

function run<R extends SqlRow>(db: Db, sql: string, params: readonly SqlValue[]): SqlResult<R> {
  try {
    const s = stmt(db, sql);
    if (s.reader) {
      const rows = s.all(...bindable(params)) as R[];
      return { rows, changes: /^\s*select\b/i.test(sql) ? 0 : rows.length };
    }
    return { rows: [], changes: s.run(...bindable(params)).changes };
  } catch (err) {
    throw translate(err);
  }
}

function queriesOn(db: Db): SqlQueries {
  return {
    query: async (sql, params = []) => run(db, sql, params),
    one: async (sql, params = []) => run(db, sql, params).rows[0] as never,
    script: async (sql) => {
      try {
        db.exec(sql);
      } catch (err) {
        throw translate(err);
      }
    },
  };
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  /** The tail of the queue of uses of the connection. */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly direct: SqlQueries;

  constructor(
    private readonly db: Db,
    /** Whether close() closes the connection (false when the caller keeps using it). */
    private readonly ownsDb = true,
  ) {
    this.location = db.name;
    this.direct = queriesOn(db);
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.turn.then(fn, fn);
    this.turn = next.catch(() => undefined);
    return next;
  }

  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]) {
    return this.inTurn(() => this.direct.query<R>(sql, params));
  }

  one<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]) {
    return this.inTurn(() => this.direct.one<R>(sql, params));
  }

  script(sql: string): Promise<void> {
    return this.inTurn(() => this.direct.script(sql));
  }

  transaction<T>(fn: (tx: SqlQueries) => Promise<T>): Promise<T> {
    return this.inTurn(async () => {
      await this.begin();
      let result: T;
      try {
        result = await fn(this.direct);
      } catch (err) {
        stmt(this.db, 'ROLLBACK').run();
        throw err;
      }
      stmt(this.db, 'COMMIT').run();
      return result;
    });
  }

  /** BEGIN IMMEDIATE, waiting out another process's write lock beyond the busy timeout. */
  private async begin(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        stmt(this.db, 'BEGIN IMMEDIATE').run();
        return;
      } catch (err) {
        if (!isBusy(err) || attempt >= 8) throw err;
        await new Promise((res) => setTimeout(res, 5 * 2 ** attempt));
      }
    }
  }

  async close(): Promise<void> {
    await this.turn;
    if (this.ownsDb) this.db.close();
  }
}
