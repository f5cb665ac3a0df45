/**
 * The master-key check for engines over the SQL access layer: the key-check value
 * (key-check-value.ts) stored by the first server, compared by every later one. Every server on a
 * database must be given the same master key; one given another refuses to start, so nothing is
 * ever sealed under a second key.
 */
import { CHECK_ROW, checkValue, matches } from './key-check-value.js';
import { MasterKeyError, RECOVERY } from './master-key.js';
import { SCHEMA_LOCK } from './sql-migrate.js';
import type { SqlDriver } from './sql-driver.js';

export async function checkSqlMasterKey(
  db: SqlDriver,
  key: Uint8Array,
  source: string,
): Promise<void> {
  if (!(key instanceof Uint8Array) || key.length !== 32)
    throw new MasterKeyError(
      `${source}: expected a 32-byte master key, got ${key instanceof Uint8Array ? `${key.length} bytes` : typeof key}`,
    );
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [
      CHECK_ROW,
      checkValue(key),
    ]);
    const row = await tx.one<{ value: Uint8Array }>('SELECT value FROM meta WHERE key = ?', [
      CHECK_ROW,
    ]);
    if (!row || !matches(Buffer.from(row.value), key))
      throw new MasterKeyError(
        `${source}: this is not the master key of ${db.location} (its key-check value differs); refusing to start rather than seal new keys under a second master key. ${RECOVERY}`,
      );
  }, SCHEMA_LOCK);
}
