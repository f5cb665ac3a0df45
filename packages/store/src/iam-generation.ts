import type { StoreContext } from './context.js';
import { immediate, stmt, type Db } from './db.js';

/**
 * The generation of everything IAM authorization reads from the store: IAM's entities, keys and
 * policies, and the facts of signing profiles (their tags, version and permissions). Every write
 * to any of them bumps it in the same transaction, so a reader that sees the old number cannot
 * have seen the new data: caches keyed by it (resolved keys and principals here, profile facts in
 * the API) are exact. It is a row in the database, not a number in memory, so a write by another
 * process (or another connection of this one) is seen by the next read of it.
 */
export function iamWrite<T>(ctx: StoreContext, fn: () => T): T {
  return immediate(ctx.db, () => {
    const out = fn();
    bumpIamGeneration(ctx.db);
    return out;
  });
}

/**
 * IAM writes made by this process, on any connection: a cache that has seen fewer reads the
 * generation again on its next use. Counted when the bump runs, inside the write's transaction;
 * the transaction is synchronous, so no request of this process reads before it ends (a rolled
 * back write only costs one more read).
 */
let localWrites = 0;

/** Inside a write transaction that changes what authorization reads (a profile's tags, its permissions). */
export const bumpIamGeneration = (db: Db): void => {
  stmt(db, 'UPDATE iam_generation SET n = n + 1 WHERE id = 1').run();
  localWrites++;
};

const iamGeneration = (db: Db): number =>
  (stmt(db, 'SELECT n FROM iam_generation WHERE id = 1').get() as { n: number }).n;

/**
 * How long a write committed by another process (the CLI on the SQLite file, another server on
 * PostgreSQL) may go unseen by this one's authorization: IAM is eventually consistent in AWS too,
 * its changes taking seconds to reach every endpoint. This process's own writes are seen at once.
 */
const OTHER_PROCESS_WRITES_SEEN_WITHIN_MS = 1000;

const probes = new WeakMap<Db, { n: number; writes: number; at: number }>();

/**
 * The generation for a request's cached authorization facts: read from the database when this
 * process has written IAM since the last read, or when that read is older than
 * OTHER_PROCESS_WRITES_SEEN_WITHIN_MS; otherwise the last value read. The read is a read
 * transaction (a few µs in a tight loop, tens of µs in a server on a busy machine, a round trip on
 * PostgreSQL); `PRAGMA data_version` costs SQLite the same and moves on every commit of the
 * signing jobs too, so it would not spare the read under load.
 */
export function recentIamGeneration(db: Db): number {
  const now = performance.now();
  const p = probes.get(db);
  if (p && p.writes === localWrites && now - p.at < OTHER_PROCESS_WRITES_SEEN_WITHIN_MS) return p.n;
  // The count is taken before the read: a write counted after it is read again next time.
  const writes = localWrites;
  const n = iamGeneration(db);
  probes.set(db, { n, writes, at: now });
  return n;
}
