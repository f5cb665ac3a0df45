/**
 * The transparency log as the PostgreSQL store keeps it: the `audit_entries` table is the log
 * (several servers share it; none keeps files of its own) and `audit_checkpoints` its signed
 * checkpoints. Read here as the same LogSource the files give, so `fwsign audit verify` runs one
 * verification over either. The entries' bytes are what is hashed: the stored leaf hashes are
 * the server's cache and are not trusted.
 */
import type { LogSource } from '@fwsign/audit-log';
import type { Db } from './db.js';
import { connect, isPostgresUrl, stmt } from './db.js';
import { logVerifierKey } from './audit-key.js';

/** Why a database cannot be read as a log: not a PostgreSQL URL, or no log in it. */
export class AuditTableError extends Error {
  readonly code = 'AuditTableError';
  constructor(message: string) {
    super(message);
    this.name = 'AuditTableError';
  }
}

/** The log held in the database's tables, oldest entry first. */
export function readAuditTable(db: Db): LogSource {
  // Checkpoints first: the entries a checkpoint covers were committed before it, so entries read
  // after it include them even while servers append (each read sees what was committed then).
  const checkpoints = stmt(
    db,
    'SELECT size, note FROM audit_checkpoints ORDER BY size',
  ).all() as Array<{ size: number; note: string }>;
  const rows = stmt(db, 'SELECT seq, entry FROM audit_entries ORDER BY seq').all() as Array<{
    seq: number;
    entry: Buffer;
  }>;
  return {
    lines: rows.map((r, position) => ({
      position,
      file: `audit_entries row seq=${r.seq}`,
      bytes: r.entry,
    })),
    problems: [],
    checkpoints: checkpoints.map((c) => ({
      name: `audit_checkpoints size=${c.size}`,
      note: c.note,
    })),
  };
}

/**
 * Reads the log of a PostgreSQL store (`postgres://…`) without opening the store: no master key
 * is needed, nothing is written. `publicKey` is the verifier key the database keeps beside its
 * log (as `audit/log.pub` is kept beside the files), absent before the log's key was made.
 */
export function readAuditDatabase(database: string): { log: LogSource; publicKey?: string } {
  if (!isPostgresUrl(database))
    throw new AuditTableError(
      `expected a postgres:// URL naming the store's database, got ${JSON.stringify(database)}`,
    );
  const db = connect(database);
  try {
    const table = stmt(db, "SELECT to_regclass('audit_entries') AS t").get() as { t: unknown };
    if (table.t === null)
      throw new AuditTableError(
        `${db.name} holds no transparency log (no audit_entries table): not an fwsign store`,
      );
    const publicKey = logVerifierKey(db);
    return { log: readAuditTable(db), ...(publicKey !== undefined ? { publicKey } : {}) };
  } finally {
    db.close();
  }
}
