/**
 * `--output json|text|table` laid out as the AWS CLI lays them out (awscli/formatter.py, text.py,
 * table.py): JSON with a 4-space indent; text as tab-separated scalars, sorted keys, a list's
 * name upper-cased before each of its rows; table as titled sections, column headers for a list
 * of structures, nested values indented one `|` per level, and a table wider than the terminal
 * (80 columns when not one) turned vertical where a section has a single row.
 */

export type OutputFormat = 'json' | 'table' | 'text';

export function toPlain(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toPlain);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  return v;
}

/** `value` is already plain (toPlain) and, with --query, the query's result. */
export function formatOutput(
  title: string,
  value: unknown,
  output: OutputFormat,
  terminalWidth = 80,
): string {
  // The AWS CLI prints nothing for an empty response (and "null" only for a query's null in JSON).
  if (value === undefined) return '';
  if (value !== null && typeof value === 'object' && Object.keys(value).length === 0) return '';
  if (output === 'json') return `${JSON.stringify(value, null, 4)}\n`;
  if (output === 'text') {
    const out: string[] = [];
    formatText(value, out);
    return out.join('');
  }
  return renderTable(buildTable(title, value), terminalWidth);
}

const isScalar = (v: unknown): boolean => v === null || typeof v !== 'object';
/** Python's str() of a JSON scalar, as the AWS CLI prints it. */
const str = (v: unknown): string =>
  v === null || v === undefined ? 'None' : v === true ? 'True' : v === false ? 'False' : String(v);

// --- text (awscli/text.py) ---

function formatText(item: unknown, out: string[], id?: string, scalarKeys?: string[]): void {
  if (Array.isArray(item)) formatTextList(item, out, id);
  else if (item !== null && typeof item === 'object')
    formatTextDict(item as Record<string, unknown>, out, id, scalarKeys);
  else out.push(`${str(item)}\n`);
}

function formatTextList(items: unknown[], out: string[], id?: string): void {
  if (items.length === 0) return;
  if (items.some((e) => e !== null && typeof e === 'object' && !Array.isArray(e))) {
    const keys = [
      ...new Set(
        items.flatMap((e) =>
          e !== null && typeof e === 'object' && !Array.isArray(e)
            ? Object.entries(e)
                .filter(([, v]) => isScalar(v))
                .map(([k]) => k)
            : [],
        ),
      ),
    ].sort();
    for (const e of items) formatText(e, out, id, keys);
    return;
  }
  const scalars = items.filter(isScalar);
  if (scalars.length > 0) {
    if (id !== undefined) for (const s of scalars) out.push(`${id.toUpperCase()}\t${str(s)}\n`);
    else out.push(`${scalars.map(str).join('\t')}\n`);
  }
  for (const e of items) if (!isScalar(e)) formatText(e, out, id);
}

function formatTextDict(
  item: Record<string, unknown>,
  out: string[],
  id?: string,
  scalarKeys?: string[],
): void {
  const scalars: string[] = [];
  const nested: [string, unknown][] = [];
  if (scalarKeys === undefined) {
    for (const k of Object.keys(item).sort())
      if (isScalar(item[k])) scalars.push(str(item[k]));
      else nested.push([k, item[k]]);
  } else {
    for (const k of scalarKeys) scalars.push(str(item[k]));
    for (const k of Object.keys(item)
      .filter((k) => !scalarKeys.includes(k))
      .sort())
      nested.push([k, item[k]]);
  }
  if (scalars.length > 0)
    out.push(`${[...(id ? [id.toUpperCase()] : []), ...scalars].join('\t')}\n`);
  for (const [k, v] of nested) formatText(v, out, k);
}

// --- table (awscli/formatter.py TableFormatter, awscli/table.py MultiTable) ---

interface Section {
  title: string;
  indent: number;
  headers: string[];
  rows: string[][];
}

function buildTable(title: string, value: unknown): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  const section = (t: string, indent: number): void => {
    current = { title: t, indent, headers: [], rows: [] };
    sections.push(current);
  };
  const row = (cells: unknown[]): void => {
    if (!current) section('', 0);
    current!.rows.push(cells.map(str));
  };
  const header = (h: string[]): void => {
    if (!current) section('', 0);
    current!.headers = h;
  };
  const split = (o: Record<string, unknown>): [string[], string[]] => [
    Object.keys(o)
      .filter((k) => isScalar(o[k]))
      .sort(),
    Object.keys(o)
      .filter((k) => !isScalar(o[k]))
      .sort(),
  ];
  const build = (t: string | undefined, v: unknown, indent: number): void => {
    if (v === null || v === undefined || v === '' || v === 0 || v === false) return;
    if (Array.isArray(v) && v.length === 0) return;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return;
    if (t !== undefined) section(t, indent);
    if (Array.isArray(v)) {
      if (v[0] !== null && typeof v[0] === 'object' && !Array.isArray(v[0])) {
        const dicts = v as Record<string, unknown>[];
        const hs = new Set<string>();
        const more = new Set<string>();
        for (const d of dicts) {
          const [a, b] = split(d);
          a.forEach((k) => hs.add(k));
          b.forEach((k) => more.add(k));
        }
        const headers = [...hs].sort();
        const rest = [...more].sort();
        header(headers);
        dicts.forEach((d, i) => {
          if (i > 0 && rest.length > 0) {
            section(t ?? '', indent);
            header(headers);
          }
          row(headers.map((h) => (h in d ? d[h] : '')));
          for (const k of rest) if (k in d) build(k, d[k], indent + 1);
        });
      } else {
        for (const item of v) {
          if (isScalar(item)) row([item]);
          else if (Array.isArray(item) && item.every(isScalar)) row(item);
          else build(undefined, item, indent);
        }
      }
    } else if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const [headers, more] = split(o);
      if (headers.length === 1) row([headers[0], o[headers[0]!]]);
      else if (headers.length > 1) {
        header(headers);
        row(headers.map((h) => o[h]));
      }
      for (const k of more) build(k, o[k], indent + 1);
    } else {
      row([v]);
    }
  };
  build(title, value, 0);
  return sections;
}

const maxWidths = (s: Section): number[] => {
  const w: number[] = [];
  for (const r of [...(s.headers.length ? [s.headers] : []), ...s.rows])
    r.forEach((c, i) => (w[i] = Math.max(w[i] ?? 0, c.length)));
  return w;
};

/** Column widths scaled to fill `max` exactly (table.py calculate_column_widths). */
function columnWidths(s: Section, padding: number, max?: number): number[] {
  const unscaled = maxWidths(s).map((w) => w + padding);
  if (max === undefined || unscaled.length === 0) return unscaled;
  const factor = max / unscaled.reduce((a, b) => a + b, 0);
  const scaled = unscaled.map((w) => pyRound(factor * w));
  let off = scaled.reduce((a, b) => a + b, 0) - max;
  while (off !== 0) {
    const order = [...scaled.keys()];
    if (off < 0) order.reverse();
    for (const i of order) {
      if (off > 0) {
        scaled[i]!--;
        off--;
      } else {
        scaled[i]!++;
        off++;
      }
      if (off === 0) break;
    }
  }
  return scaled;
}

/** Python 3's round(): halves go to the even neighbour. */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

const totalWidth = (s: Section): number => {
  const total = columnWidths(s, 0).reduce((a, w) => a + w + 4, 0) + 2 + 2 * s.indent;
  return Math.max(s.title.length + 2 + 2 * s.indent, total);
};

function center(text: string, length: number, left = '|', right = '|'): string {
  const start = Math.floor(length / 2) - Math.floor(text.length / 2) - 1;
  const head = `${left}${' '.repeat(Math.max(0, start))}${text}`;
  return `${head}${' '.repeat(Math.max(0, length - right.length - head.length))}${right}`;
}

function alignLeft(text: string, length: number, left: string, right = '|'): string {
  const pad = length - (text.length + 2 + left.length + right.length) >= 0 ? 2 : 0;
  const head = `${left}${' '.repeat(pad)}${text}`;
  return `${head}${' '.repeat(Math.max(0, length - head.length - right.length))}${right}`;
}

const lineBreak = (widths: number[]): string =>
  widths.map((w, i) => (i === 0 ? `+${'-'.repeat(w - 2)}+` : `${'-'.repeat(w - 1)}+`)).join('');

/** table.py convert_to_vertical_table: a one-row section with headers becomes key/value rows. */
function vertical(sections: Section[]): Section[] {
  return sections.map((s) =>
    s.rows.length === 1 && s.headers.length > 0
      ? { ...s, headers: [], rows: s.headers.map((h, i) => [h, s.rows[0]![i]!]) }
      : s,
  );
}

function renderTable(built: Section[], terminalWidth: number): string {
  let sections = built;
  if (sections.length === 0) return '';
  let max = Math.max(...sections.map(totalWidth));
  if (max > terminalWidth) {
    sections = vertical(sections);
    max = Math.max(...sections.map(totalWidth));
  }
  const out = [`${'-'.repeat(max)}\n`];
  for (const s of sections) {
    const bars = '|'.repeat(s.indent);
    const line = (text: string): number => out.push(`${bars}${text}${bars}\n`);
    const width = max - 2 * s.indent;
    if (s.title) {
      line(center(s.title, width));
      if (s.headers.length === 0 && s.rows.length === 0) line(`+${'-'.repeat(width - 2)}+`);
    }
    if (s.headers.length > 0) {
      const widths = columnWidths(s, 4, width);
      line(lineBreak(widths));
      line(s.headers.map((h, i) => center(h, widths[i]!, i === 0 ? '|' : '')).join(''));
    }
    if (s.rows.length > 0) {
      const widths = columnWidths(s, 4, width);
      line(lineBreak(widths));
      for (const r of s.rows)
        line(r.map((c, i) => alignLeft(c, widths[i]!, i === 0 ? '|' : '')).join(''));
      line(lineBreak(widths));
    }
  }
  return out.join('');
}
