/**
 * The store's SQL as PostgreSQL takes its parameters: the queries are written once, with
 * better-sqlite3's `?` and `@name` placeholders, and PgDb (pg-db.ts) numbers them here.
 */

/**
 * `?` placeholders to PostgreSQL's `$1…$n`, leaving string literals, quoted identifiers and
 * comments alone, so the queries are written once.
 */
export function toNumbered(sql: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) throw new SyntaxError(`toNumbered: unterminated ${c} in ${JSON.stringify(sql)}`);
      out += sql.slice(i, end + 1);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      out += `$${++n}`;
    } else {
      out += c;
    }
  }
  return out;
}

/** better-sqlite3's named parameters (`@name`, bound from one object) as positional `?`s, in order. */
export function positional(sql: string): { sql: string; names: string[] } {
  const names: string[] = [];
  const out = sql.replace(/'[^']*'|"[^"]*"|@([A-Za-z_][A-Za-z0-9_]*)/g, (m, name?: string) => {
    if (name === undefined) return m;
    names.push(name);
    return '?';
  });
  return { sql: out, names };
}
