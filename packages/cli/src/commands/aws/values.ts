/** Turns command-line words into an operation's input members, by the member's model shape. */
import { readFileSync } from 'node:fs';
import { signerModel, type ServiceModel, type ShapeRef } from '@fwsign/api';
import { pathOf, UsageError } from '../../args.js';
import type { CliIo } from '../../command.js';
import { parseShorthand, type Shorthand } from './shorthand.js';

/** `file://` reads text, `fileb://` bytes, as the AWS CLI does for any parameter. */
function loadParam(io: CliIo, word: string, binary: boolean): string | Uint8Array {
  const prefix = word.startsWith('fileb://')
    ? 'fileb://'
    : word.startsWith('file://')
      ? 'file://'
      : undefined;
  if (!prefix) return binary ? new Uint8Array(Buffer.from(word, 'utf8')) : word;
  try {
    const bytes = readFileSync(pathOf(io, word.slice(prefix.length)));
    return prefix === 'fileb://' ? new Uint8Array(bytes) : bytes.toString('utf8');
  } catch (e) {
    throw new UsageError(
      `Unable to load paramfile ${word}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

export function memberValue(
  io: CliIo,
  ref: ShapeRef,
  words: string[],
  flag: string,
  model: ServiceModel = signerModel,
): unknown {
  const shape = model.shapes[ref.shape]!;
  if (shape.type === 'list') {
    if (words.length === 1 && words[0]!.trim().startsWith('['))
      return coerce(model, ref, json(words[0]!, flag), flag);
    return words.map((w) => memberValue(io, shape.member!, [w], flag, model));
  }
  if (words.length !== 1) throw new UsageError(`--${flag} expected one value, got ${words.length}`);
  const raw = loadParam(io, words[0]!, shape.type === 'blob');
  if (shape.type === 'blob')
    return typeof raw === 'string' ? new Uint8Array(Buffer.from(raw, 'utf8')) : raw;
  if (raw instanceof Uint8Array) return raw;
  if (shape.type === 'structure' || shape.type === 'map') {
    const parsed: unknown = raw.trim().startsWith('{')
      ? json(raw, flag)
      : parseShorthand(raw, flag);
    return coerce(model, ref, parsed, flag);
  }
  return coerce(model, ref, raw, flag);
}

function json(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(
      `--${flag}: expected JSON or shorthand, got a JSON error: ${(e as Error).message}`,
    );
  }
}

/** Shorthand gives strings; the model says which are numbers, booleans, dates, lists. */
export function coerce(model: ServiceModel, ref: ShapeRef, v: unknown, path: string): unknown {
  const shape = model.shapes[ref.shape]!;
  switch (shape.type) {
    case 'structure': {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        throw new UsageError(`--${path}: expected a structure, got ${JSON.stringify(v)}`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const m = shape.members?.[k];
        if (!m)
          throw new UsageError(
            `--${path}: unknown member ${JSON.stringify(k)}; expected one of ${Object.keys(shape.members ?? {}).join(', ')}`,
          );
        out[k] = coerce(model, m, x, `${path}.${k}`);
      }
      return out;
    }
    case 'map':
      return Object.fromEntries(
        Object.entries(v as Record<string, Shorthand>).map(([k, x]) => [
          k,
          coerce(model, shape.value!, x, `${path}.${k}`),
        ]),
      );
    case 'list':
      return (Array.isArray(v) ? v : [v]).map((x) => coerce(model, shape.member!, x, path));
    case 'integer':
    case 'long': {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isSafeInteger(n))
        throw new UsageError(`--${path}: expected an integer, got ${JSON.stringify(v)}`);
      return n;
    }
    case 'boolean':
      if (v === true || v === 'true') return true;
      if (v === false || v === 'false') return false;
      throw new UsageError(`--${path}: expected true or false, got ${JSON.stringify(v)}`);
    case 'timestamp': {
      const d =
        typeof v === 'number' || /^\d+(\.\d+)?$/.test(String(v))
          ? new Date(Number(v) * 1000)
          : new Date(String(v));
      if (Number.isNaN(d.getTime()))
        throw new UsageError(
          `--${path}: expected an ISO 8601 time or epoch seconds, got ${JSON.stringify(v)}`,
        );
      return d;
    }
    default:
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

/** What `--generate-cli-skeleton` prints for a shape. */
export function skeleton(model: ServiceModel, ref: ShapeRef, depth = 0): unknown {
  const shape = model.shapes[ref.shape]!;
  if (depth > 8) return {};
  switch (shape.type) {
    case 'structure':
      return Object.fromEntries(
        Object.entries(shape.members ?? {}).map(([k, m]) => [k, skeleton(model, m, depth + 1)]),
      );
    case 'map':
      return { KeyName: skeleton(model, shape.value!, depth + 1) };
    case 'list':
      return [skeleton(model, shape.member!, depth + 1)];
    case 'integer':
    case 'long':
      return 0;
    case 'boolean':
      return true;
    case 'timestamp':
      return '1970-01-01T00:00:00';
    case 'string':
      return shape.enum?.[0] ?? '';
    default:
      return '';
  }
}
