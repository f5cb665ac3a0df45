import type { StoreContext } from './context.js';
import { immediate, stmt, type Db } from './db.js';

/**
 * Runs an IAM write in a BEGIN IMMEDIATE transaction and bumps the IAM generation with it, so
 * every process's cache of resolved keys and policies (iam-principals.ts) sees the change on its
 * next lookup.
 */
export function iamWrite<T>(ctx: StoreContext, fn: () => T): T {
  return immediate(ctx.db, () => {
    const out = fn();
    stmt(ctx.db, 'UPDATE iam_generation SET n = n + 1 WHERE id = 1').run();
    return out;
  });
}

export const iamGeneration = (db: Db): number =>
  (stmt(db, 'SELECT n FROM iam_generation WHERE id = 1').get() as { n: number }).n;
