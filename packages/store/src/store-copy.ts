/**
 * `fwsign store copy`: an installation's SQLite data dir into an empty PostgreSQL database —
 * every table as it is (sealed keys, the key-check value, the transparency log's entries and
 * checkpoints included) and each object version's bytes from its segment file into
 * object_chunks — in one PostgreSQL transaction, then checked: row counts and a digest of every
 * table on both sides, and each object's bytes against its size and its ETag (the body's MD5).
 * Tables are found from the source's own catalog, so tables added by later migrations come too.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Db } from './db.js';
import { connect, schemaVersion } from './db.js';
import { etagOf } from './etag.js';
import { OBJECT_CHUNK_BYTES } from './chunk-bytes.js';
import { ETAG_NOT_YET } from './object-rows.js';
import type { PgDriver } from './pg-driver.js';
import { PG_MIGRATIONS } from './pg-schema.js';
import { MIGRATIONS } from './schema.js';
import { readSegmentPart, segmentDirs } from './segment-files.js';
import type { SqlQueries, SqlValue } from './sql-driver.js';
import { migrateSql } from './sql-migrate.js';

export interface CopyReport {
  schemaVersion: number;
  /** Rows copied, by table. */
  tables: Record<string, number>;
  objects: number;
  objectBytes: number;
}

export class StoreCopyError extends Error {
  readonly code = 'StoreCopyError';
  constructor(message: string) {
    super(message);
    this.name = 'StoreCopyError';
  }
}

const ROWS_PER_INSERT = 200;
const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The source's tables, parents before children (foreign keys), without SQLite's own. */
function tablesInOrder(db: Db): string[] {
  const names = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
  const done: string[] = [];
  const visit = (t: string, path: string[]): void => {
    if (done.includes(t)) return;
    if (path.includes(t))
      throw new StoreCopyError(`foreign keys form a cycle: ${path.join(' → ')}`);
    const parents = db.prepare(`PRAGMA foreign_key_list(${quote(t)})`).all() as { table: string }[];
    for (const p of parents) if (p.table !== t) visit(p.table, [...path, t]);
    done.push(t);
  };
  for (const t of names) visit(t, []);
  return done;
}

function columnsOf(db: Db, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string }[]).map(
    (c) => c.name,
  );
}

/** A row as text both engines' answers reduce to the same way: bytes as hex, in column order. */
function canonical(row: Record<string, unknown>, columns: readonly string[]): string {
  return JSON.stringify(
    columns.map((c) => {
      const v = row[c];
      return v instanceof Uint8Array ? `hex:${Buffer.from(v).toString('hex')}` : v;
    }),
  );
}

/** An order-free digest of a table's rows. */
function digest(rows: Iterable<string>): string {
  return [...rows]
    .sort()
    .reduce((h, r) => h.update(r).update('\n'), createHash('sha256'))
    .digest('hex');
}

async function insertRows(
  tx: SqlQueries,
  table: string,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const one = `(${columns.map(() => '?').join(', ')})`;
  await tx.query(
    `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${rows.map(() => one).join(', ')}`,
    rows.flatMap((r) => columns.map((c) => r[c] as SqlValue)),
  );
}

/**
 * Tables whose rows a migration writes itself (a counter's one row): every database has them, so
 * they do not make the destination non-empty, and the source's rows replace them.
 */
const SEEDED = new Set(
  MIGRATIONS.flatMap((m) => [...m.sql.matchAll(/\bINSERT INTO (\w+)/g)].map((x) => x[1]!)),
);

async function refuseNonEmptyClearSeeded(tx: SqlQueries, tables: readonly string[]): Promise<void> {
  for (const t of tables) {
    if (SEEDED.has(t)) {
      await tx.query(`DELETE FROM ${quote(t)}`);
      continue;
    }
    const r = await tx.one<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${quote(t)}`);
    if (r && r.n > 0)
      throw new StoreCopyError(
        `the destination already holds ${r.n} row(s) in ${t}; copy only into an empty database`,
      );
  }
}

/** Identity columns continue after the copied values, so new rows do not collide with them. */
async function advanceIdentities(tx: SqlQueries): Promise<void> {
  const ids = await tx.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
  );
  for (const { table_name: t, column_name: c } of ids.rows)
    await tx.query(
      `SELECT setval(pg_get_serial_sequence(?, ?), max(${quote(c)})) FROM ${quote(t)} HAVING max(${quote(c)}) IS NOT NULL`,
      [t, c],
    );
}

async function copyBody(
  tx: SqlQueries,
  dirs: ReturnType<typeof segmentDirs>,
  row: Record<string, unknown>,
  report: CopyReport,
): Promise<void> {
  const body = readSegmentPart(dirs, row as { file: string; offset: number; size: number });
  // An empty body is one empty chunk, so every version has its bytes' rows.
  for (let n = 0, at = 0; at < body.length || n === 0; n++, at += OBJECT_CHUNK_BYTES)
    await tx.query('INSERT INTO object_chunks (object_seq, n, bytes) VALUES (?, ?, ?)', [
      row['seq'] as number,
      n,
      body.subarray(at, at + OBJECT_CHUNK_BYTES),
    ]);
  report.objects++;
  report.objectBytes += body.length;
}

export async function copyStoreToPostgres(opts: {
  dataDir: string;
  to: string;
}): Promise<CopyReport> {
  const dataDir = resolve(opts.dataDir);
  const file = join(dataDir, 'signer.db');
  if (!existsSync(file)) throw new StoreCopyError(`${file}: no data dir to copy from`);
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  // Loaded here, not with the package: the CLI's other verbs (serve) then never load the pg client.
  const { PgDriver } = await import('./pg-driver.js');
  const pg = new PgDriver(opts.to, { maxConnections: 2 });
  const db = connect(file);
  try {
    const version = schemaVersion(db);
    if (version !== latest)
      throw new StoreCopyError(
        `${file} is at schema version ${version}, this build's is ${latest}: open it once with this build's \`fwsign serve\` to upgrade it, then copy`,
      );
    await migrateSql(pg, PG_MIGRATIONS);
    const tables = tablesInOrder(db);
    const dirs = segmentDirs(dataDir);
    const report: CopyReport = { schemaVersion: version, tables: {}, objects: 0, objectBytes: 0 };
    const sourceDigests = new Map<string, string>();
    // One read transaction: a snapshot of the source, even if a server is still writing to it.
    db.prepare('BEGIN').run();
    try {
      await pg.transaction(async (tx) => {
        await refuseNonEmptyClearSeeded(tx, [...tables, 'object_chunks']);
        for (const t of tables) {
          const columns = columnsOf(db, t);
          const seen: string[] = [];
          let batch: Record<string, unknown>[] = [];
          for (const row of db.prepare(`SELECT * FROM ${quote(t)}`).iterate() as Iterable<
            Record<string, unknown>
          >) {
            seen.push(canonical(row, columns));
            batch.push(row);
            // An object's row goes in at once: its chunks' foreign key names it.
            if (batch.length === ROWS_PER_INSERT || t === 'objects') {
              await insertRows(tx, t, columns, batch);
              batch = [];
            }
            if (t === 'objects') await copyBody(tx, dirs, row, report);
          }
          await insertRows(tx, t, columns, batch);
          report.tables[t] = seen.length;
          sourceDigests.set(t, digest(seen));
        }
        await advanceIdentities(tx);
      });
    } finally {
      db.prepare('COMMIT').run();
    }
    await checkCopy(pg, db, sourceDigests);
    return report;
  } finally {
    db.close();
    await pg.close();
  }
}

/** Reads the destination back: each table's digest equals the source's, each object's bytes its size and MD5. */
async function checkCopy(pg: PgDriver, db: Db, sourceDigests: Map<string, string>): Promise<void> {
  for (const [t, expected] of sourceDigests) {
    const columns = columnsOf(db, t);
    const rows = await pg.query(`SELECT * FROM ${quote(t)}`);
    const got = digest(rows.rows.map((r) => canonical(r, columns)));
    if (got !== expected)
      throw new StoreCopyError(
        `check failed: table ${t} in the destination differs from the source (${rows.rows.length} rows, digest ${got.slice(0, 16)}…, expected ${expected.slice(0, 16)}…)`,
      );
  }
  const objects = await pg.query<{ seq: number; size: number; etag: string }>(
    'SELECT seq, size, etag FROM objects ORDER BY seq',
  );
  for (const o of objects.rows) {
    const chunks = await pg.query<{ bytes: Uint8Array }>(
      'SELECT bytes FROM object_chunks WHERE object_seq = ? ORDER BY n',
      [o.seq],
    );
    const body = Buffer.concat(chunks.rows.map((c) => c.bytes));
    const size = body.length;
    const etag = etagOf(body);
    if (size !== o.size || (o.etag !== ETAG_NOT_YET && o.etag !== etag))
      throw new StoreCopyError(
        `check failed: object ${o.seq} has ${size} bytes with ETag ${etag} in the destination, expected ${o.size} bytes with ETag ${o.etag}`,
      );
  }
}
