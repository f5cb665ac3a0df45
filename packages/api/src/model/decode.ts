import type { ServiceModel, Shape, ShapeRef } from './types.js';
import { shapeOf } from './load.js';
import { validation, type ApiError } from '../errors.js';

/**
 * Turns wire values (a parsed JSON body, URI labels, query strings) into the operation's input
 * shape, checking types, required members, enums, lengths, ranges and patterns as AWS does, and
 * collecting every violation into one ValidationException that names each member.
 */
export class Decoder {
  readonly problems: string[] = [];
  constructor(
    private readonly model: ServiceModel,
    /** Patterns must match the whole value, as AWS's (Java) validators read them; IAM's are unanchored in the model. */
    private readonly wholeValue = false,
  ) {}

  /** A value from a JSON document. `path` is the member path used in messages ('a.b[0]'). */
  json(ref: ShapeRef, value: unknown, path: string): unknown {
    const shape = shapeOf(this.model, ref.shape);
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, value, path, (member, v, p) => this.json(member, v, p));
      case 'list': {
        if (!Array.isArray(value)) return this.wrongType(value, path, 'list');
        const out = value.map((v, i) => this.json(shape.member!, v, `${path}[${i}]`));
        this.length(shape, out.length, value, path);
        return out;
      }
      case 'map': {
        if (!isPlainObject(value)) return this.wrongType(value, path, 'map');
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
          this.scalar(shape.key!, k, `${path}.key`, 'json');
          // defineProperty: a key named __proto__ stays an own entry instead of replacing the prototype.
          Object.defineProperty(out, k, {
            value: this.json(shape.value!, v, `${path}.${k}`),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        this.length(shape, Object.keys(out).length, value, path);
        return out;
      }
      default:
        return this.scalar(ref, value, path, 'json');
    }
  }

  /** A value from a URI label, a query string or a header (lists: repeated query keys). */
  text(ref: ShapeRef, raw: string | string[], path: string): unknown {
    const shape = shapeOf(this.model, ref.shape);
    if (shape.type === 'list') {
      const items = Array.isArray(raw) ? raw : [raw];
      const out = items.map((v, i) => this.scalar(shape.member!, v, `${path}[${i}]`, 'text'));
      this.length(shape, out.length, items, path);
      return out;
    }
    const one = Array.isArray(raw) ? raw[raw.length - 1]! : raw;
    return this.scalar(ref, one, path, 'text');
  }

  structure(
    shape: Shape,
    value: unknown,
    path: string,
    member: (ref: ShapeRef, v: unknown, p: string) => unknown,
  ): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) return this.wrongType(value, path, 'structure');
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const v = value[name];
      if (v === undefined || v === null) continue;
      out[name] = member(ref, v, join(path, name));
    }
    this.required(shape, out, path);
    return out;
  }

  required(shape: Shape, out: Record<string, unknown>, path: string): void {
    for (const name of shape.required ?? []) {
      if (out[name] === undefined)
        this.problems.push(
          `Value null at '${join(path, name)}' failed to satisfy constraint: Member must not be null`,
        );
    }
  }

  private scalar(ref: ShapeRef, value: unknown, path: string, from: 'json' | 'text'): unknown {
    const shape = shapeOf(this.model, ref.shape);
    switch (shape.type) {
      case 'string': {
        if (typeof value !== 'string') return this.wrongType(value, path, 'string');
        if (shape.enum && !shape.enum.includes(value)) {
          this.problems.push(
            `Value '${clip(value)}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum.join(', ')}]`,
          );
        }
        this.length(shape, value.length, value, path);
        if (
          shape.pattern &&
          !matches(this.wholeValue ? `^(?:${shape.pattern})$` : shape.pattern, value)
        ) {
          this.problems.push(
            `Value '${clip(value)}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`,
          );
        }
        return value;
      }
      case 'integer':
      case 'long': {
        const n =
          from === 'text' && typeof value === 'string' && /^-?\d+$/.test(value)
            ? Number(value)
            : value;
        if (typeof n !== 'number' || !Number.isSafeInteger(n))
          return this.wrongType(value, path, 'integer');
        if (shape.min !== undefined && n < shape.min)
          this.problems.push(
            `Value '${n}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`,
          );
        if (shape.max !== undefined && n > shape.max)
          this.problems.push(
            `Value '${n}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`,
          );
        return n;
      }
      case 'double':
      case 'float': {
        const n = from === 'text' && typeof value === 'string' ? Number(value) : value;
        if (typeof n !== 'number' || Number.isNaN(n)) return this.wrongType(value, path, 'number');
        return n;
      }
      case 'boolean': {
        if (typeof value === 'boolean') return value;
        if (from === 'text' && (value === 'true' || value === 'false')) return value === 'true';
        return this.wrongType(value, path, 'boolean');
      }
      case 'timestamp': {
        const d = parseTimestamp(value);
        if (!d)
          return this.wrongType(
            value,
            path,
            'timestamp (epoch seconds or ISO 8601, within ±275,000 years)',
          );
        return d;
      }
      case 'blob': {
        if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
          return this.wrongType(value, path, 'base64 blob');
        const bytes = new Uint8Array(Buffer.from(value, 'base64'));
        this.length(shape, bytes.length, '<blob>', path);
        return bytes;
      }
      default:
        return this.wrongType(value, path, shape.type);
    }
  }

  private length(shape: Shape, n: number, value: unknown, path: string): void {
    const shown = typeof value === 'string' ? `'${clip(value)}'` : 'of this length';
    if (shape.min !== undefined && n < shape.min)
      this.problems.push(
        `Value ${shown} at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`,
      );
    if (shape.max !== undefined && n > shape.max)
      this.problems.push(
        `Value ${shown} at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
      );
  }

  private wrongType(value: unknown, path: string, expected: string): undefined {
    const got = value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
    this.problems.push(
      `Value at '${path}' failed to satisfy constraint: Member must be of type ${expected}, got ${got}`,
    );
    return undefined;
  }

  /** Throws the ValidationException AWS would send when anything was wrong. */
  check(): void {
    const error = this.error();
    if (error) throw error;
  }

  error(): ApiError | undefined {
    const n = this.problems.length;
    if (n === 0) return undefined;
    return validation(
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`,
    );
  }
}

function parseTimestamp(value: unknown): Date | undefined {
  let ms: number;
  if (typeof value === 'number') ms = value * 1000;
  else if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) ms = Number(value) * 1000;
  else if (typeof value === 'string' && /^\d{4}-\d\d-\d\d/.test(value)) ms = Date.parse(value);
  else if (typeof value === 'string' && /^[A-Z][a-z]{2}, /.test(value)) ms = Date.parse(value);
  else return undefined;
  // A Date holds ±8.64e15 ms (about ±275,000 years); anything further is Invalid Date, which throws on use.
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms) : undefined;
}

const MAX_DATE_MS = 8.64e15;

const patterns = new Map<string, RegExp | null>();
function matches(pattern: string, value: string): boolean {
  let re = patterns.get(pattern);
  if (re === undefined) {
    try {
      // Unicode property classes (\p{L}, IAM's tag pattern) need the u flag; JavaScript reads them literally without it.
      re = new RegExp(pattern, pattern.includes('\\p{') ? 'u' : '');
    } catch {
      // A Java-only construct: the model's pattern cannot be enforced here, and the store checks what matters.
      re = null;
    }
    patterns.set(pattern, re);
  }
  return re === null || re.test(value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

const join = (path: string, name: string): string => (path ? `${path}.${name}` : name);
const clip = (s: string): string => (s.length > 64 ? `${s.slice(0, 64)}…` : s);
