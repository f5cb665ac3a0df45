/**
 * Argument parsing shared by every verb: node:util parseArgs in strict mode, with helpers that
 * turn a missing or malformed flag into a UsageError (exit 2) naming the flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isAbsolute, resolve } from 'node:path';
import type { CliIo } from './command.js';

export class UsageError extends Error {
  readonly code = 'UsageError';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export function parse(args: string[], options: Options, allowPositionals = false): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { help: { type: 'boolean', short: 'h' }, ...options },
      strict: true,
      allowPositionals,
    });
    return { values: values, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function requireString(p: Parsed, flag: string): string {
  const v = p.values[flag];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`--${flag} is required`);
  return v;
}

export function optionalString(p: Parsed, flag: string): string | undefined {
  const v = p.values[flag];
  return typeof v === 'string' ? v : undefined;
}

/** For `multiple: true` flags. */
export function strings(p: Parsed, flag: string): string[] {
  const v = p.values[flag];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

export function choice<T extends string>(
  p: Parsed,
  flag: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const v = optionalString(p, flag) ?? fallback;
  if (v === undefined) throw new UsageError(`--${flag} is required (one of ${allowed.join(', ')})`);
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(
      `--${flag} expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
    );
  return v as T;
}

export function integer(p: Parsed, flag: string, min: number, max: number): number | undefined {
  const v = optionalString(p, flag);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`--${flag} expected an integer ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}

export function pathOf(io: CliIo, p: string): string {
  return isAbsolute(p) ? p : resolve(io.cwd, p);
}

export const flag = (p: Parsed, name: string): boolean => p.values[name] === true;
