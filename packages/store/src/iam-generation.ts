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

/** Inside a write transaction that changes what authorization reads (a profile's tags, its permissions). */
export const bumpIamGeneration = (db: Db): void => {
  stmt(db, 'UPDATE iam_generation SET n = n + 1 WHERE id = 1').run();
};

export const iamGeneration = (db: Db): number =>
  (stmt(db, 'SELECT n FROM iam_generation WHERE id = 1').get() as { n: number }).n;
