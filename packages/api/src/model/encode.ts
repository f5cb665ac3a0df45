import type { ServiceModel, ShapeRef } from './types.js';
import { shapeOf } from './load.js';

/**
 * Serializes an output value by its model shape for the JSON protocols: only members the model
 * names leave the server (so nothing the store keeps privately can leak), timestamps become epoch
 * seconds and blobs base64, as rest-json and awsJson1_1 clients parse them.
 * `lenient` also accepts camelCase fields for PascalCase members (ACM's model vs. the store's names).
 */
export function encodeJson(
  model: ServiceModel,
  ref: ShapeRef,
  value: unknown,
  lenient = false,
): unknown {
  if (value === undefined || value === null) return undefined;
  const shape = shapeOf(model, ref.shape);
  switch (shape.type) {
    case 'structure': {
      const src = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        if (member.location) continue; // headers / status codes travel outside the body
        const v = src[name] ?? (lenient ? src[lowerFirst(name)] : undefined);
        const encoded = encodeJson(model, member, v, lenient);
        if (encoded !== undefined) out[name] = encoded;
      }
      return out;
    }
    case 'list':
      return Array.isArray(value)
        ? value.map((v) => encodeJson(model, shape.member!, v, lenient))
        : undefined;
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const encoded = encodeJson(model, shape.value!, v, lenient);
        if (encoded !== undefined) out[k] = encoded;
      }
      return out;
    }
    case 'timestamp':
      return epochSeconds(value);
    case 'blob':
      return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : plainText(value);
    default:
      return value;
  }
}

function epochSeconds(value: unknown): number | undefined {
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'number'
        ? value * 1000
        : Date.parse(String(value));
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

export const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** A value as text: a string as itself, anything else as JSON (never "[object Object]"). */
export function plainText(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}
