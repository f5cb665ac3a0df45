/** `--output json` (the default, as the AWS CLI prints it: 4-space indent, ISO times) and `--output table`. */

function toPlain(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toPlain);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  return v;
}

export function formatOutput(
  title: string,
  value: Record<string, unknown>,
  output: 'json' | 'table' | 'text',
): string {
  const plain = toPlain(value) as Record<string, unknown>;
  if (Object.keys(plain).length === 0) return '';
  if (output === 'json') return `${JSON.stringify(plain, null, 4)}\n`;
  if (output === 'text') return textLines(plain).join('\n') + '\n';
  return table(title, plain).join('\n') + '\n';
}

/** The AWS CLI's table: a titled box of key/value rows, each list of objects as a titled sub-table. */
function table(title: string, obj: Record<string, unknown>): string[] {
  const scalars = Object.entries(obj).filter(([, v]) => v === null || typeof v !== 'object');
  const nested = Object.entries(obj).filter(([, v]) => v !== null && typeof v === 'object');
  const rows = scalars.map(([k, v]) => [k, String(v)] as const);
  const width = Math.max(title.length + 4, ...rows.map(([k, v]) => k.length + v.length + 7));
  const out: string[] = [];
  const line = '-'.repeat(width);
  out.push(line, `|${center(title, width - 2)}|`, line);
  const kw = Math.max(0, ...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out.push(`|  ${k.padEnd(kw)}  |  ${v.padEnd(width - kw - 9)}|`);
  for (const [k, v] of nested) {
    if (Array.isArray(v)) {
      for (const item of v)
        out.push(
          ...(item && typeof item === 'object'
            ? table(k, item as Record<string, unknown>)
            : table(k, { value: item })),
        );
    } else {
      out.push(...table(k, v as Record<string, unknown>));
    }
  }
  return out;
}

function center(s: string, w: number): string {
  const left = Math.max(0, Math.floor((w - s.length) / 2));
  return `${' '.repeat(left)}${s}`.padEnd(w);
}

function textLines(obj: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  const scalars = Object.entries(obj)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(([, v]) => String(v));
  if (scalars.length) out.push(`${prefix}${scalars.join('\t')}`);
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v))
      for (const item of v)
        out.push(
          ...(item && typeof item === 'object'
            ? textLines(item as Record<string, unknown>, `${k.toUpperCase()}\t`)
            : [`${k.toUpperCase()}\t${String(item)}`]),
        );
    else if (v && typeof v === 'object')
      out.push(...textLines(v as Record<string, unknown>, `${k.toUpperCase()}\t`));
  }
  return out;
}
