/**
 * What the store's thread and the PostgreSQL connection thread (pg-sync-worker.ts) say to each
 * other. One request is in flight at a time: the store's thread posts it, then sleeps on `state`
 * until the connection thread has posted the answer and flipped the word to ANSWERED.
 */
import type { MessagePort } from 'node:worker_threads';

export const WAITING = 0;
export const ANSWERED = 1;

export interface PgSyncWorkerData {
  url: string;
  port: MessagePort;
  /** One Int32: WAITING while a request is with the connection thread, ANSWERED once its reply is posted. */
  state: Int32Array;
}

/**
 * `fresh`: no transaction is open on this connection, so a lost connection may be replaced by a new
 * one before this request runs. Inside a transaction it may not: the transaction went with the
 * old connection, and running the rest of it on a new one would commit half of it.
 */
export type PgSyncRequest =
  | { type: 'query'; sql: string; params: unknown[]; fresh: boolean }
  /** Several statements without parameters (a migration's DDL), by the simple query protocol. */
  | { type: 'script'; sql: string; fresh: boolean }
  /** Reads the store's thread will make next, answered together: one hand-off between the threads for all (pg-db.ts readAhead). */
  | { type: 'reads'; reads: Array<{ sql: string; params: unknown[] }>; fresh: true }
  | { type: 'close' };

export type PgSyncReply =
  | { type: 'rows'; rows: Record<string, unknown>[]; changes: number }
  /** Each read's rows, or null where it failed (the caller makes that read itself, and meets the error there). */
  | { type: 'many'; answers: Array<Record<string, unknown>[] | null> }
  | { type: 'error'; message: string; code?: string; constraint?: string; detail?: string };
