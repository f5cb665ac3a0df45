/**
 * The store's SQL as PostgreSQL takes its parameters: the queries are written once, with
 * better-sqlite3's `?` and `@name` placeholders, and PgDb (pg-db.ts) numbers them here.
 */

/**
 * `?` placeholders to PostgreSQL's `$1…$n`, leaving string literals, quoted identifiers and
 * comments alone, so the queries are written once.
 */
export function toNumbered(sql: string): string {
  return replacePlaceholders(sql, (n) => `$${n}`);
}

/**
 * The statement with its parameters written in, as `pg` would send them: strings as they are,
 * numbers and booleans as their text, each a quoted literal of no type yet (as a parameter is), so
 * PostgreSQL types it from where it stands exactly as it types `$n`; bytes as bytea's hex, a bytea
 * (as `pg` sends bytes: in binary, which only a bytea takes as they are). `escapeLiteral` is
 * `pg`'s own (libpq's PQescapeLiteral ported), given by the connection's thread, which has `pg`
 * loaded: quoting is left to the client library, not written again here.
 * Undefined if a parameter is of another kind: the caller sends the statement with parameters.
 */
export function inlined(
  sql: string,
  params: readonly unknown[],
  escapeLiteral: (s: string) => string,
): string | undefined {
  const literals: string[] = [];
  for (const p of params) {
    const l = literal(p, escapeLiteral);
    if (l === undefined) return undefined;
    literals.push(l);
  }
  return replacePlaceholders(sql, (n) => literals[n - 1] ?? 'NULL');
}

const MAX_INLINED_BYTES = 4096;

function literal(v: unknown, quote: (s: string) => string): string | undefined {
  if (v === null || v === undefined) return 'NULL';
  // A NUL cannot be in a PostgreSQL text at all: sent as a parameter, it fails as it should.
  if (typeof v === 'string') return v.includes('\0') ? undefined : quote(v);
  if (typeof v === 'number') return Number.isFinite(v) ? quote(String(v)) : undefined;
  if (typeof v === 'boolean') return quote(String(v));
  // Bytes of any size go as a binary parameter: hex doubles them, and PostgreSQL must parse it.
  if (v instanceof Uint8Array && v.byteLength <= MAX_INLINED_BYTES)
    return ` E'\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}'::bytea`;
  return undefined;
}

function replacePlaceholders(sql: string, placeholder: (n: number) => string): string {
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
      out += placeholder(++n);
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
