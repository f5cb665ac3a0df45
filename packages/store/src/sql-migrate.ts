/**
 * Schema migrations over the SQL access layer, for engines opened asynchronously (PostgreSQL).
 * Each migration is applied in its own transaction under one lock, and re-checked inside it, so
 * servers starting together on one database apply each exactly once.
 */
import type { Migration } from './schema.js';
import type { SqlDriver } from './sql-driver.js';

/** The advisory-lock key migrations and key checks take (any fixed number; "fwsg"). */
export const SCHEMA_LOCK = 0x66777367;

export async function migrateSql(db: SqlDriver, migrations: readonly Migration[]): Promise<number> {
  await db.transaction(async (tx) => {
    await tx.script(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
  }, SCHEMA_LOCK);
  for (const m of migrations) {
    await db.transaction(async (tx) => {
      if (await tx.one('SELECT 1 AS done FROM schema_migrations WHERE version = ?', [m.version]))
        return;
      await tx.script(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }, SCHEMA_LOCK);
  }
  return sqlSchemaVersion(db);
}

export async function sqlSchemaVersion(db: SqlDriver): Promise<number> {
  const row = await db.one<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return row?.v ?? 0;
}
