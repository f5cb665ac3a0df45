/**
 * The PostgreSQL connection's own thread: one `pg` client, answering the store's thread
 * (pg-sync.ts) one request at a time. The store's operations are synchronous transactions, as
 * they are on SQLite; this thread is what lets them run unchanged on a database across the
 * network, while the event loop of the thread that waits is the only one that stops.
 */
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import type { PgSyncReply, PgSyncRequest, PgSyncWorkerData } from './pg-sync-messages.js';
import { ANSWERED } from './pg-sync-messages.js';

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

const { url, port, state } = workerData as PgSyncWorkerData;
const client = new pg.Client({ connectionString: url, types });
let broken: Error | undefined;
// A connection the server ended (a restart, a failover) fails every later request by name.
client.on('error', (err) => (broken = err));
const ready = client.connect().catch((err: unknown) => {
  broken = err as Error;
});

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

async function handle(req: PgSyncRequest): Promise<PgSyncReply> {
  await ready;
  if (broken) return failure(broken);
  if (req.type === 'script') {
    await client.query(req.sql);
    return { type: 'rows', rows: [], changes: 0 };
  }
  if (req.type !== 'query') throw new Error(`unknown request ${JSON.stringify(req)}`);
  const r = await client.query({ text: req.sql, values: req.params });
  return {
    type: 'rows',
    rows: r.rows as Record<string, unknown>[],
    changes: r.command === 'SELECT' ? 0 : (r.rowCount ?? 0),
  };
}

port.on('message', (req: PgSyncRequest) => {
  if (req.type === 'close') {
    void ready
      .then(() => (broken ? undefined : client.end()))
      .catch(() => undefined)
      .finally(() => {
        answer({ type: 'rows', rows: [], changes: 0 });
        port.close();
      });
    return;
  }
  handle(req).then(answer, (err: unknown) => answer(failure(err)));
});
