/**
 * A PostgreSQL connection the store's thread uses synchronously, as it uses SQLite: each query is
 * handed to the connection's own thread (pg-sync-worker.ts, the `pg` client) and this thread waits
 * on an Atomics word until the answer is posted back. The store's operations are short
 * transactions written as synchronous code (their rules, checks and batching are SignerStore's,
 * once for both engines); this keeps them so, and keeps one transaction on one connection.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { PgSyncReply, PgSyncRequest, PgSyncWorkerData } from './pg-sync-messages.js';
import { WAITING } from './pg-sync-messages.js';
import { redactUrl } from './redact-url.js';
import { workerEntry } from './worker-entry.js';

/** A query unanswered this long (a lock never released, the server gone silent) fails, and the connection with it. */
const ANSWER_TIMEOUT_MS = 120_000;

/** PostgreSQL's error codes: five digits or capitals (Appendix A of its manual). */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** An error PostgreSQL (or the connection to it) reported: `code` is its SQLSTATE where it gave one, else CONNECTION. */
export class PgError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly constraint?: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'PgError';
  }
}

export interface PgRows {
  rows: Record<string, unknown>[];
  changes: number;
}

export class PgSyncConnection {
  readonly location: string;
  private readonly url: string;
  private worker!: Worker;
  private port!: MessagePort;
  private readonly state = new Int32Array(new SharedArrayBuffer(4));
  /** Set when the connection's thread stopped answering; a new thread is started at the next fresh request. */
  private broken: Error | undefined;
  private closed = false;

  constructor(url: string) {
    this.location = redactUrl(url);
    this.url = url;
    this.start();
  }

  /**
   * `fresh`: no transaction is open, so a connection lost since the last request is replaced
   * rather than failing this one (pg-sync-worker.ts). Inside a transaction the request fails.
   */
  query(sql: string, params: readonly unknown[], fresh = false): PgRows {
    const reply = this.ask({ type: 'query', sql, params: params.slice(), fresh });
    if (reply.type !== 'rows')
      throw new TypeError(`${this.location}: expected rows, got ${reply.type}`);
    return { rows: reply.rows, changes: reply.changes };
  }

  /**
   * Statements run in turn, answered together (one hand-off between the threads). `reads`: each
   * one's answer or null where it failed; otherwise the first failure is thrown.
   */
  many(
    statements: Array<{ sql: string; params: unknown[] }>,
    reads: boolean,
    fresh: boolean,
  ): Array<PgRows | null> {
    const reply = this.ask({ type: 'many', statements, reads, fresh });
    if (reply.type !== 'many')
      throw new TypeError(`${this.location}: expected answers, got ${reply.type}`);
    return reply.answers;
  }

  /** Several statements without parameters (a migration's DDL). */
  script(sql: string, fresh = false): void {
    this.ask({ type: 'script', sql, fresh });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.broken) {
      try {
        this.ask({ type: 'close' }, true);
      } catch {
        // The connection is going anyway.
      }
    }
    this.stop();
  }

  private start(): void {
    const entry = workerEntry('pg-sync-worker');
    if (!entry)
      throw new Error(
        'PostgreSQL: the connection thread cannot start (from source this needs tsx; bundled, pg-sync-worker.mjs beside the code)',
      );
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: PgSyncWorkerData = { url: this.url, port: port2, state: this.state };
    this.worker = new Worker(entry.code, {
      eval: entry.eval,
      workerData: data,
      transferList: [port2],
    });
    // The thread only ever waits for this one's requests: it must not keep the process alive.
    this.worker.unref();
    this.port.unref();
    this.broken = undefined;
  }

  private stop(): void {
    this.port.close();
    void this.worker.terminate();
  }

  private ask(req: PgSyncRequest, closing = false): Exclude<PgSyncReply, { type: 'error' }> {
    if (this.closed && !closing)
      throw new PgError(`${this.location}: the connection is closed`, 'CLOSED');
    if (this.broken) {
      if (req.type === 'close' || !req.fresh) throw this.broken;
      this.start();
    }
    Atomics.store(this.state, 0, WAITING);
    this.port.postMessage(req);
    // Woken, the word is checked again: the thread flips it and then notifies, so the previous
    // answer's notify can land after this request was posted, before its own answer is there.
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (let left = ANSWER_TIMEOUT_MS; left > 0; left = deadline - Date.now())
      if (Atomics.wait(this.state, 0, WAITING, left) !== 'ok' || this.answered()) break;
    const reply = this.answered()
      ? (receiveMessageOnPort(this.port)?.message as PgSyncReply | undefined)
      : undefined;
    if (!reply) {
      // A late answer would be taken for the next request's: this thread and its connection are done.
      this.broken = new PgError(
        this.answered()
          ? `${this.location}: the connection thread flagged an answer but posted none`
          : `${this.location}: no answer from PostgreSQL within ${ANSWER_TIMEOUT_MS / 1000} s`,
        'TIMEOUT',
      );
      this.stop();
      throw this.broken;
    }
    if (reply.type === 'error') {
      // Without a SQLSTATE (a node errno, or none) the connection itself failed: refused, reset,
      // ended by the server. The connection's thread replaces it at the next fresh request.
      throw new PgError(
        `PostgreSQL (${this.location}): ${reply.message}`,
        SQLSTATE.test(reply.code ?? '') ? reply.code! : 'CONNECTION',
        reply.constraint,
        reply.detail,
      );
    }
    return reply;
  }

  private answered(): boolean {
    return Atomics.load(this.state, 0) !== WAITING;
  }
}
