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
import { connect, immediate, isPostgresUrl, openDatabase, schemaVersion } from './db.js';
import { etagOf } from './etag.js';
import { OBJECT_CHUNK_BYTES } from './chunk-bytes.js';
import { ETAG_NOT_YET } from './object-rows.js';
import { redactUrl } from './redact-url.js';
import { MIGRATIONS } from './schema.js';
import { readSegmentPart, segmentDirs } from './segment-files.js';

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

function insertRows(
  pg: Db,
  table: string,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): void {
  if (rows.length === 0) return;
  const one = `(${columns.map(() => '?').join(', ')})`;
  pg.prepare(
    `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${rows.map(() => one).join(', ')}`,
  ).run(...rows.flatMap((r) => columns.map((c) => r[c])));
}

/**
 * Tables whose rows a migration writes itself (a counter's one row): every database has them, so
 * they do not make the destination non-empty, and the source's rows replace them.
 */
const SEEDED = new Set(
  MIGRATIONS.flatMap((m) => [...m.sql.matchAll(/\bINSERT INTO (\w+)/g)].map((x) => x[1]!)),
);

function refuseNonEmptyClearSeeded(pg: Db, tables: readonly string[]): void {
  for (const t of tables) {
    if (SEEDED.has(t)) {
      pg.prepare(`DELETE FROM ${quote(t)}`).run();
      continue;
    }
    const r = pg.prepare(`SELECT count(*) AS n FROM ${quote(t)}`).get() as
      { n: number } | undefined;
    if (r && r.n > 0)
      throw new StoreCopyError(
        `the destination already holds ${r.n} row(s) in ${t}; copy only into an empty database`,
      );
  }
}

/** Identity columns continue after the copied values, so new rows do not collide with them. */
function advanceIdentities(pg: Db): void {
  const ids = pg
    .prepare(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .all() as { table_name: string; column_name: string }[];
  for (const { table_name: t, column_name: c } of ids)
    pg.prepare(
      `SELECT setval(pg_get_serial_sequence(?, ?), max(${quote(c)})) FROM ${quote(t)} HAVING max(${quote(c)}) IS NOT NULL`,
    ).get(t, c);
}

function copyBody(
  pg: Db,
  dirs: ReturnType<typeof segmentDirs>,
  row: Record<string, unknown>,
  report: CopyReport,
): void {
  const body = readSegmentPart(dirs, row as { file: string; offset: number; size: number });
  // An empty body is one empty chunk, so every version has its bytes' rows.
  const insert = pg.prepare('INSERT INTO object_chunks (object_seq, n, bytes) VALUES (?, ?, ?)');
  for (let n = 0, at = 0; at < body.length || n === 0; n++, at += OBJECT_CHUNK_BYTES)
    insert.run(row['seq'], n, body.subarray(at, at + OBJECT_CHUNK_BYTES));
  report.objects++;
  report.objectBytes += body.length;
}

/**
 * Asynchronous for its callers (the CLI), as a copy over the network is; the work itself runs on
 * the store's synchronous Db interface, the destination a PgDb (pg-db.ts) like a server's.
 */
export async function copyStoreToPostgres(opts: {
  dataDir: string;
  to: string;
}): Promise<CopyReport> {
  const dataDir = resolve(opts.dataDir);
  const file = join(dataDir, 'signer.db');
  if (!existsSync(file)) throw new StoreCopyError(`${file}: no data dir to copy from`);
  if (!isPostgresUrl(opts.to))
    throw new StoreCopyError(
      `the destination: expected a postgres:// URL, got ${JSON.stringify(redactUrl(opts.to))}`,
    );
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  const db = connect(file);
  let pg: Db | undefined;
  try {
    const version = schemaVersion(db);
    if (version !== latest)
      throw new StoreCopyError(
        `${file} is at schema version ${version}, this build's is ${latest}: open it once with this build's \`fwsign serve\` to upgrade it, then copy`,
      );
    // Migrated as a server migrates it, under the write lock servers take.
    pg = openDatabase(opts.to);
    const dest = pg;
    const tables = tablesInOrder(db);
    const dirs = segmentDirs(dataDir);
    const report: CopyReport = { schemaVersion: version, tables: {}, objects: 0, objectBytes: 0 };
    const sourceDigests = new Map<string, string>();
    // One read transaction: a snapshot of the source, even if a server is still writing to it.
    db.prepare('BEGIN').run();
    try {
      // One write transaction on the destination: a failed copy leaves it empty.
      immediate(dest, () => {
        refuseNonEmptyClearSeeded(dest, [...tables, 'object_chunks']);
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
              insertRows(dest, t, columns, batch);
              batch = [];
            }
            if (t === 'objects') copyBody(dest, dirs, row, report);
          }
          insertRows(dest, t, columns, batch);
          report.tables[t] = seen.length;
          sourceDigests.set(t, digest(seen));
        }
        advanceIdentities(dest);
      });
    } finally {
      db.prepare('COMMIT').run();
    }
    checkCopy(dest, db, sourceDigests);
    return report;
  } finally {
    db.close();
    pg?.close();
  }
}

/** Reads the destination back: each table's digest equals the source's, each object's bytes its size and MD5. */
function checkCopy(pg: Db, db: Db, sourceDigests: Map<string, string>): void {
  for (const [t, expected] of sourceDigests) {
    const columns = columnsOf(db, t);
    const rows = pg.prepare(`SELECT * FROM ${quote(t)}`).all() as Record<string, unknown>[];
    const got = digest(rows.map((r) => canonical(r, columns)));
    if (got !== expected)
      throw new StoreCopyError(
        `check failed: table ${t} in the destination differs from the source (${rows.length} rows, digest ${got.slice(0, 16)}…, expected ${expected.slice(0, 16)}…)`,
      );
  }
  const objects = pg.prepare('SELECT seq, size, etag FROM objects ORDER BY seq').all() as {
    seq: number;
    size: number;
    etag: string;
  }[];
  const chunks = pg.prepare('SELECT bytes FROM object_chunks WHERE object_seq = ? ORDER BY n');
  for (const o of objects) {
    const body = Buffer.concat((chunks.all(o.seq) as { bytes: Buffer }[]).map((c) => c.bytes));
    const size = body.length;
    const etag = etagOf(body);
    if (size !== o.size || (o.etag !== ETAG_NOT_YET && o.etag !== etag))
      throw new StoreCopyError(
        `check failed: object ${o.seq} has ${size} bytes with ETag ${etag} in the destination, expected ${o.size} bytes with ETag ${o.etag}`,
      );
  }
}
