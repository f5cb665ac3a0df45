/**
 * Rows gathered inside a transaction and inserted at its end, one multi-row INSERT per table. On
 * PostgreSQL every statement is a round trip to the database (pg-sync.ts) made under the write
 * lock all servers share, so a batch of jobs inserting a job row and two log entries each spent
 * most of its lock on round trips; gathered, a batch costs one per table whatever its size.
 * Only for rows nothing in the same transaction reads back before the flush.
 */

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

  /** The multi-row INSERTs for every gathered row, in the order added per table; then forgets them. */
  take(): Array<{ sql: string; params: unknown[] }> {
    const statements = [...this.tables].flatMap(([head, rows]) => insertsOf(head, rows));
    this.tables.clear();
    return statements;
  }
}

/** `rows` as INSERTs of as many rows each as the parameter limit allows. */
export function insertsOf(
  head: string,
  rows: readonly unknown[][],
  casts?: readonly string[],
  wrap = (values: string) => `${head} VALUES ${values}`,
): Array<{ sql: string; params: unknown[] }> {
  const width = rows[0]?.length ?? 0;
  const per = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, width)));
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  for (let at = 0; at < rows.length; at += per) {
    const part = rows.slice(at, at + per);
    statements.push({ sql: wrap(valuesList(part.length, width, casts)), params: part.flat() });
  }
  return statements;
}

/** `(?, ?), (?, ?)…` for `count` rows of `width` values; `casts` (PostgreSQL) types each column's placeholder. */
function valuesList(count: number, width: number, casts?: readonly string[]): string {
  const one = `(${Array.from({ length: width }, (_, i) => (casts ? `?::${casts[i]}` : '?')).join(', ')})`;
  return new Array<string>(count).fill(one).join(', ');
}
