import { closeSync, fsync, openSync } from 'node:fs';
import type { Db } from './db.js';
import { stmt } from './db.js';

/**
 * Group commits without blocking the event loop on the WAL's fsync.
 *
 * With `synchronous = FULL`, SQLite fsyncs the WAL inside COMMIT, on the thread that commits: the
 * event loop, which stalls for the disk's flush latency once per batch (measured ~15% of a 64 KiB
 * job's time). A job batch instead commits with `synchronous = NORMAL` — the commit's WAL frames
 * are written (so other connections and a crashed process see them) but not flushed — and then
 * `sync()` fsyncs the WAL on libuv's thread pool. The caller is answered only after that fsync, so
 * an acknowledged job is exactly as durable as under FULL (SQLite's documentation: in WAL mode
 * FULL differs from NORMAL only by that per-commit WAL sync; checkpoints sync alike). Every other
 * transaction in the store still commits with FULL.
 *
 * The descriptor is opened once, when the store opens: Linux reports a writeback error to the
 * descriptors open when it happened, so one opened later could miss it.
 */
export class WalSync {
  private fd: number | undefined;
  private pending = 0;
  private closing = false;

  constructor(private readonly db: Db) {
    try {
      this.fd = openSync(`${db.name}-wal`, 'r');
    } catch {
      // No WAL file (not a WAL database): every commit keeps synchronous = FULL.
      this.fd = undefined;
    }
  }

  /** Runs `commit` (a synchronous transaction) with the WAL flush left to the next `sync()`, which the caller must await before acknowledging. */
  commitDeferred<T>(commit: () => T): T {
    if (this.fd === undefined || this.closing) return commit();
    stmt(this.db, 'PRAGMA synchronous = NORMAL').run();
    try {
      return commit();
    } finally {
      stmt(this.db, 'PRAGMA synchronous = FULL').run();
    }
  }

  /** Flushes the WAL (everything committed so far) to disk, off the event loop. */
  sync(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined || this.closing) return Promise.resolve();
    this.pending++;
    return new Promise((resolve, reject) => {
      fsync(fd, (err) => {
        this.pending--;
        if (this.closing && this.pending === 0) this.closeNow();
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Closes the descriptor once the fsyncs under way have finished (so none runs on a reused number). */
  close(): void {
    this.closing = true;
    if (this.pending === 0) this.closeNow();
  }

  private closeNow(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = undefined;
  }
}
