/**
 * Rows gathered inside a transaction and inserted at its end, one multi-row INSERT per table. On
 * PostgreSQL every statement is a round trip to the database (pg-sync.ts) made under the write
 * lock all servers share, so a batch of jobs inserting a job row and two log entries each spent
 * most of its lock on round trips; gathered, a batch costs one per table whatever its size.
 * Only for rows nothing in the same transaction reads back before the flush.
 */
import type { Db } from './db.js';

/** PostgreSQL takes at most 65,535 parameters in one statement; SQLite 32,766. */
const MAX_PARAMS = 30_000;

export class RowBatch {
  private readonly tables = new Map<string, unknown[][]>();

  /** `head`: `INSERT INTO t (a, b, …)`, without VALUES; `row`: one value per column. */
  add(head: string, row: unknown[]): void {
    let rows = this.tables.get(head);
    if (!rows) this.tables.set(head, (rows = []));
    rows.push(row);
  }

  /** Inserts every gathered row, in the order added per table. Inside the transaction that gathered them. */
  flush(db: Db): void {
    for (const [head, rows] of this.tables) insertMany(db, head, rows);
    this.tables.clear();
  }
}

/** `rows` in as few statements as the parameter limit allows. */
export function insertMany(db: Db, head: string, rows: readonly unknown[][]): void {
  const width = rows[0]?.length ?? 0;
  const per = rowsPerStatement(width);
  for (let at = 0; at < rows.length; at += per) {
    const part = rows.slice(at, at + per);
    // Not stmt(): each batch size is its own SQL text, and would crowd out the statements kept.
    db.prepare(`${head} VALUES ${valuesList(part.length, width)}`).run(...part.flat());
  }
}

/** `(?, ?), (?, ?)…` for `count` rows of `width` values; `casts` (PostgreSQL) types each column's placeholder. */
export function valuesList(count: number, width: number, casts?: readonly string[]): string {
  const one = `(${Array.from({ length: width }, (_, i) => (casts ? `?::${casts[i]}` : '?')).join(', ')})`;
  return new Array<string>(count).fill(one).join(', ');
}

/** How many rows of `width` values one statement may carry. */
export function rowsPerStatement(width: number): number {
  return Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, width)));
}
