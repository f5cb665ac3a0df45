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

export type PgSyncRequest =
  | { type: 'query'; sql: string; params: unknown[] }
  /** Several statements without parameters (a migration's DDL), by the simple query protocol. */
  | { type: 'script'; sql: string }
  | { type: 'close' };

export type PgSyncReply =
  | { type: 'rows'; rows: Record<string, unknown>[]; changes: number }
  | { type: 'error'; message: string; code?: string; constraint?: string; detail?: string };
