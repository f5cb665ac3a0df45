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
  /**
   * Statements run one after the other and answered together: one hand-off between the threads
   * for all (pg-db.ts readAhead, runAll). `reads`: a failed one answers null and the rest still run;
   * otherwise the first failure is the answer, and the rest are not run. Written with `?`
   * placeholders: this thread numbers them, or, when every parameter can be written in as a
   * literal, sends all the statements as one text (pg-placeholders.ts inlined) by the simple query
   * protocol, which takes several statements in one round trip to PostgreSQL.
   */
  | {
      type: 'many';
      statements: Array<{ sql: string; params: unknown[] }>;
      reads: boolean;
      fresh: boolean;
    }
  | { type: 'close' };

export type PgSyncReply =
  | { type: 'rows'; rows: Record<string, unknown>[]; changes: number }
  /** Each statement's answer, or null where a read failed (the caller makes that read itself, and meets the error there). */
  | { type: 'many'; answers: Array<{ rows: Record<string, unknown>[]; changes: number } | null> }
  | { type: 'error'; message: string; code?: string; constraint?: string; detail?: string };
