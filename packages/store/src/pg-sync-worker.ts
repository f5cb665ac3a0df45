/**
 * The PostgreSQL connection's own thread: one `pg` client, answering the store's thread
 * (pg-sync.ts) one request at a time. The store's operations are synchronous transactions, as
 * they are on SQLite; this thread is what lets them run unchanged on a database across the
 * network, while the event loop of the thread that waits is the only one that stops.
 *
 * A connection the server ended (a restart, a failover, a network cut) is replaced by a new one
 * at the next request made outside a transaction (`fresh`); a request inside a transaction fails
 * instead, since its transaction is gone with the old connection.
 */
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import type { PgSyncReply, PgSyncRequest, PgSyncWorkerData } from './pg-sync-messages.js';
import { ANSWERED } from './pg-sync-messages.js';
import { inlined, toNumbered } from './pg-placeholders.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    // int8 as a number, as SQLite's INTEGER comes: the store's integers are ms times and counters, below 2^53.
    if ((oid === INT8_OID || oid === NUMERIC_OID) && format !== 'binary')
      return (v: string) => Number(v);
    return format === 'binary'
      ? (pg.types.getTypeParser(oid, 'binary') as (v: Buffer) => unknown)
      : (pg.types.getTypeParser(oid, 'text') as (v: string) => unknown);
  },
};

/** A server that does not take the connection within this long counts as down for this request. */
const CONNECT_TIMEOUT_MS = 10_000;

const { url, port, state } = workerData as PgSyncWorkerData;

interface Connection {
  client: pg.Client;
  /** Settles when connected; `lost` is set if that failed. */
  ready: Promise<void>;
  /** Why this connection can no longer be used, once it cannot. */
  lost?: Error;
}

function connect(): Connection {
  // TCP keepalive finds a server that vanished without closing the socket (a failover, a cut cable).
  const client = new pg.Client({
    connectionString: url,
    types,
    keepAlive: true,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  const conn: Connection = { client, ready: Promise.resolve() };
  // The server ending the connection is reported here (with 57P01 on a shutdown) or only as 'end'.
  client.on('error', (err) => (conn.lost ??= err));
  client.on('end', () => (conn.lost ??= new Error('the server closed the connection')));
  conn.ready = client.connect().then(
    () => undefined,
    (err: unknown) => {
      conn.lost ??= err as Error;
    },
  );
  return conn;
}

let conn = connect();

/** Errors after which the connection is unusable: no SQLSTATE (a socket error), class 08, or a server shutting down. */
function endsConnection(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code !== 'string' ||
    !/^[0-9A-Z]{5}$/.test(code) ||
    code.startsWith('08') ||
    code.startsWith('57P0')
  );
}

function answer(reply: PgSyncReply): void {
  port.postMessage(reply);
  Atomics.store(state, 0, ANSWERED);
  Atomics.notify(state, 0);
}

function failure(err: unknown): PgSyncReply {
  const e = err as { message?: unknown; code?: unknown; constraint?: unknown; detail?: unknown };
  return {
    type: 'error',
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.constraint === 'string' ? { constraint: e.constraint } : {}),
    ...(typeof e?.detail === 'string' ? { detail: e.detail } : {}),
  };
}

/** The connection to run a request on: a new one when the old is lost and the request may start afresh. */
async function usable(fresh: boolean): Promise<Connection> {
  await conn.ready;
  if (conn.lost && fresh) {
    const old = conn;
    conn = connect();
    void old.client.end().catch(() => undefined);
    await conn.ready;
  }
  if (conn.lost) throw conn.lost;
  return conn;
}

async function run(c: Connection, req: Exclude<PgSyncRequest, { type: 'close' | 'many' }>) {
  if (req.type === 'script') {
    await c.client.query(req.sql);
    return { type: 'rows' as const, rows: [], changes: 0, each: [] };
  }
  const answer: pg.QueryResult | pg.QueryResult[] = await c.client.query({
    text: req.sql,
    values: req.params,
  });
  // Several statements (sent without parameters, by the simple protocol): the last one's answer,
  // and each one's.
  const results: pg.QueryResult[] = Array.isArray(answer) ? (answer as pg.QueryResult[]) : [answer];
  const each = results.map((r) => ({
    rows: r.rows as Record<string, unknown>[],
    changes: r.command === 'SELECT' ? 0 : (r.rowCount ?? 0),
  }));
  return { type: 'rows' as const, ...each[each.length - 1]!, each };
}

/** Statements that change nothing outside a transaction: sent again on a new connection when the old one failed under them. */
const REPEATABLE = /^\s*(begin|select)\b/i;

/** The statements as one text with their parameters written in, if there are several and all can be. */
function together(
  statements: ReadonlyArray<{ sql: string; params: unknown[] }>,
): string | undefined {
  if (statements.length < 2) return undefined;
  const texts: string[] = [];
  for (const st of statements) {
    const text = inlined(st.sql, st.params, pg.escapeLiteral);
    if (text === undefined) return undefined;
    texts.push(text);
  }
  return texts.join(';\n');
}

async function handleMany(req: Extract<PgSyncRequest, { type: 'many' }>): Promise<PgSyncReply> {
  const text = together(req.statements);
  if (text !== undefined) {
    try {
      const { each } = await handle({ type: 'query', sql: text, params: [], fresh: req.fresh });
      if (each.length !== req.statements.length)
        throw new Error(`expected ${req.statements.length} answers, got ${each.length}`);
      return { type: 'many', answers: each };
    } catch (err) {
      // One failed: the others did not run, or were rolled back with it.
      if (!req.reads) throw err;
      return { type: 'many', answers: req.statements.map(() => null) };
    }
  }
  const answers: Array<{ rows: Record<string, unknown>[]; changes: number } | null> = [];
  for (const st of req.statements) {
    try {
      answers.push(
        await handle({
          type: 'query',
          sql: toNumbered(st.sql),
          params: st.params,
          fresh: req.fresh,
        }),
      );
    } catch (err) {
      if (!req.reads) throw err;
      answers.push(null);
    }
  }
  return { type: 'many', answers };
}

async function handle(req: Exclude<PgSyncRequest, { type: 'close' | 'many' }>): Promise<
  Extract<PgSyncReply, { type: 'rows' }> & {
    each: Array<{ rows: Record<string, unknown>[]; changes: number }>;
  }
> {
  for (let attempt = 0; ; attempt++) {
    const c = await usable(req.fresh);
    try {
      return await run(c, req);
    } catch (err) {
      if (!endsConnection(err)) throw err;
      c.lost ??= err as Error;
      // The connection died under the request (the server's 'end' not yet seen when it was sent).
      // A write may have committed before it did, so only a BEGIN or a read is sent again.
      if (!(req.fresh && attempt === 0 && req.type === 'query' && REPEATABLE.test(req.sql)))
        throw err;
    }
  }
}

port.on('message', (req: PgSyncRequest) => {
  if (req.type === 'close') {
    const last = conn;
    void last.ready
      .then(() => (last.lost ? undefined : last.client.end()))
      .catch(() => undefined)
      .finally(() => {
        answer({ type: 'rows', rows: [], changes: 0 });
        port.close();
      });
    return;
  }
  (req.type === 'many'
    ? handleMany(req)
    : handle(req).then(({ type, rows, changes }) => ({ type, rows, changes }))
  ).then(answer, (err: unknown) => answer(failure(err)));
});
