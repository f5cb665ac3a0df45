import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { BatchJob, CommittedBatch } from './batch-commit.js';
import { writeAndCommit } from './batch-commit.js';
import type { CommitWorkerData, WriterReply, WriterRequest } from './commit-messages.js';
import { rebuildError, WRITER_CLOSED, WRITER_OPEN } from './commit-messages.js';
import type { Db } from './db.js';
import type { ObjectBytes } from './object-bytes.js';
import { objectBytesFor } from './object-bytes-for.js';
import type { SegmentDirs } from './segment-files.js';
import { workerEntry, type WorkerEntry } from './worker-entry.js';

/** How long close() waits for the worker to finish the batches it holds. */
const CLOSE_TIMEOUT_MS = 30_000;

interface Waiting {
  resolve: (r: CommittedBatch) => void;
  reject: (err: unknown) => void;
}

/**
 * Hands batches of finished jobs to the commit worker (batch-commit.ts on a thread of its own)
 * and answers with what it committed. Signing keeps the store's thread busy; the segment write,
 * the transaction, its WAL fsync and SQLite's checkpoints took about a third of it (store bench).
 * The worker starts on the first batch. Where it cannot start (a bundle without its worker file),
 * batches are committed on this thread instead, blocking it for each: slower, the same result,
 * and nothing left in flight for close() to miss.
 */
export class CommitWriter {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private state: Int32Array | undefined;
  private mode: 'idle' | 'starting' | 'worker' | 'inline' | 'closed' = 'idle';
  private next = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** Batches that arrived while the worker was starting: still ours, bodies and all. */
  private held: Array<{ batch: BatchJob[] } & Waiting> = [];
  /** Where batches committed on this thread keep their objects' bytes. */
  private readonly bytes: ObjectBytes;

  constructor(
    private readonly db: Db,
    private readonly dbFile: string,
    private readonly dirs: SegmentDirs,
    private readonly entry: WorkerEntry | undefined = workerEntry('commit-worker'),
  ) {
    this.bytes = objectBytesFor(db, dirs);
  }

  /** True once batches go to the worker thread (for diagnostics and tests). */
  get onWorker(): boolean {
    return this.mode === 'worker';
  }

  /** Writes and commits the batch. Its bodies are handed over: callers must not use them afterwards. */
  commit(batch: BatchJob[]): Promise<CommittedBatch> {
    if (this.mode === 'idle') this.start();
    if (this.mode === 'closed') return Promise.reject(new Error('the store is closed'));
    if (this.mode === 'inline') return commitHere(this.db, this.bytes, batch);
    return new Promise((resolve, reject) => {
      if (this.mode === 'starting') this.held.push({ batch, resolve, reject });
      else this.send(batch, { resolve, reject });
    });
  }

  /**
   * Blocks until the worker has committed (or failed) every batch it holds and closed its
   * connection, and settles their promises; batches still held here are committed on this thread.
   */
  close(): void {
    const held = this.held;
    this.held = [];
    if (this.mode === 'worker' && this.port && this.state) {
      this.port.postMessage({ type: 'close' } satisfies WriterRequest);
      Atomics.wait(this.state, 0, WRITER_OPEN, CLOSE_TIMEOUT_MS);
      const finished = Atomics.load(this.state, 0) === WRITER_CLOSED;
      for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port))
        this.onReply(m.message as WriterReply);
      if (!finished)
        this.failAll(
          new Error(
            `the commit worker did not finish its batches within ${CLOSE_TIMEOUT_MS / 1000} s`,
          ),
        );
    }
    this.stop();
    this.mode = 'closed';
    for (const h of held) commitHere(this.db, this.bytes, h.batch).then(h.resolve, h.reject);
  }

  private start(): void {
    if (!this.entry) {
      this.mode = 'inline';
      return;
    }
    this.mode = 'starting';
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.state = new Int32Array(new SharedArrayBuffer(4));
    const data: CommitWorkerData = {
      dbFile: this.dbFile,
      dirs: this.dirs,
      port: port2,
      state: this.state,
    };
    try {
      this.worker = new Worker(this.entry.code, {
        eval: this.entry.eval,
        workerData: data,
        transferList: [port2],
      });
    } catch {
      this.fallBackInline();
      return;
    }
    port1.on('message', (m: WriterReply) => this.onReply(m));
    this.worker.on('error', (err) => this.onWorkerGone(err));
    this.worker.on('exit', (code) =>
      this.onWorkerGone(new Error(`the commit worker exited with code ${code}`)),
    );
  }

  private onReply(m: WriterReply): void {
    if (m.type === 'ready') {
      this.mode = 'worker';
      const held = this.held;
      this.held = [];
      for (const h of held) this.send(h.batch, h);
      this.refWhileBusy();
      return;
    }
    const w = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    this.refWhileBusy();
    if (!w) return;
    if (m.type === 'done')
      w.resolve(
        m.file === undefined ? { outcomes: m.outcomes } : { file: m.file, outcomes: m.outcomes },
      );
    else w.reject(rebuildError(m.error));
  }

  private send(batch: BatchJob[], w: Waiting): void {
    const id = this.next++;
    this.waiting.set(id, w);
    this.refWhileBusy();
    const transfer: ArrayBuffer[] = [];
    for (const c of batch)
      if (c.body && ownsItsBuffer(c.body) && !transfer.includes(c.body.buffer as ArrayBuffer))
        transfer.push(c.body.buffer as ArrayBuffer);
    this.port!.postMessage({ type: 'batch', id, batch } satisfies WriterRequest, transfer);
  }

  /** The worker died. Before it was ready: its batches are still here, commit them inline. After: they are not known committed, so they fail. */
  private onWorkerGone(err: unknown): void {
    if (this.mode === 'closed') return;
    if (this.mode === 'starting') {
      this.fallBackInline();
      return;
    }
    this.failAll(err);
    this.stop();
    this.mode = 'inline';
  }

  private fallBackInline(): void {
    this.stop();
    this.mode = 'inline';
    const held = this.held;
    this.held = [];
    for (const h of held) commitHere(this.db, this.bytes, h.batch).then(h.resolve, h.reject);
  }

  private failAll(err: unknown): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  private stop(): void {
    const w = this.worker;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    if (w) {
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      // Its connection is closed (or it never held a transaction): nothing is cut short.
      void w.terminate();
    }
  }

  /** An idle worker must not keep the process alive; one holding batches must. */
  private refWhileBusy(): void {
    const busy = this.waiting.size > 0 || this.mode === 'starting';
    for (const h of [this.worker, this.port]) {
      if (busy) h?.ref();
      else h?.unref();
    }
  }
}

/** writeAndCommit on this thread, its outcome as a promise like the worker's. */
function commitHere(db: Db, bytes: ObjectBytes, batch: BatchJob[]): Promise<CommittedBatch> {
  try {
    return Promise.resolve(writeAndCommit(db, bytes, batch));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** A body whose ArrayBuffer is exactly its own can be moved to the worker; a view into a shared pool (small Buffers) must be copied. */
function ownsItsBuffer(b: Uint8Array): boolean {
  return (
    b.buffer instanceof ArrayBuffer &&
    b.byteOffset === 0 &&
    b.byteLength === b.buffer.byteLength &&
    b.byteLength > 0
  );
}
