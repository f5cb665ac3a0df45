import type { Operation, ServiceModel, ShapeRef } from './types.js';
import { shapeOf } from './load.js';
import { Decoder } from './decode.js';
import { encodeJson } from './encode.js';
import { ApiError, decodePercent } from '../errors.js';

export interface Route {
  op: Operation;
  /** Literal segments or label names (`{name}`; `{name+}` takes the rest of the path). */
  segments: Array<{ literal: string } | { label: string; greedy: boolean }>;
}

/** Compiles every operation's `requestUri` into a route, most literal segments first. */
export function compileRoutes(model: ServiceModel): Route[] {
  const routes = Object.values(model.operations).map((op) => {
    const path = op.http.requestUri.split('?')[0]!;
    const segments = path
      .split('/')
      .filter(Boolean)
      .map((s) => {
        const m = /^\{([^}+]+)(\+?)\}$/.exec(s);
        return m ? { label: m[1]!, greedy: m[2] === '+' } : { literal: s };
      });
    return { op, segments };
  });
  const literals = (r: Route): number => r.segments.filter((s) => 'literal' in s).length;
  return routes.sort((a, b) => literals(b) - literals(a));
}

export interface Match {
  op: Operation;
  labels: Record<string, string>;
}

/** Finds the operation for a method and a raw (still percent-encoded) path. */
export function matchRoute(routes: Route[], method: string, rawPath: string): Match | undefined {
  const parts = rawPath.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.op.http.method !== method) continue;
    const labels = matchSegments(route, parts);
    if (labels) return { op: route.op, labels };
  }
  return undefined;
}

/** True when some operation has this path under another method (for a 405-style answer). */
export function pathKnown(routes: Route[], rawPath: string): boolean {
  const parts = rawPath.split('/').filter(Boolean);
  return routes.some((r) => matchSegments(r, parts) !== undefined);
}

function matchSegments(route: Route, parts: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  for (const seg of route.segments) {
    if ('literal' in seg) {
      if (parts[i] !== seg.literal) return undefined;
      i++;
    } else if (seg.greedy) {
      if (i >= parts.length) return undefined;
      labels[seg.label] = parts
        .slice(i)
        .map((p) => decodePercent(p, 'path segment'))
        .join('/');
      i = parts.length;
    } else {
      if (parts[i] === undefined) return undefined;
      labels[seg.label] = decodePercent(parts[i]!, 'path segment');
      i++;
    }
  }
  return i === parts.length ? labels : undefined;
}

export interface WireRequest {
  labels: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

/** Builds the operation's input from labels, query, headers and JSON body, validated by the model. */
export function decodeInput(
  model: ServiceModel,
  op: Operation,
  req: WireRequest,
): Record<string, unknown> {
  if (!op.input) return {};
  const shape = shapeOf(model, op.input.shape);
  const dec = new Decoder(model);
  const bodyMembers: Array<[string, ShapeRef]> = [];
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const wireName = ref.locationName ?? name;
    switch (ref.location) {
      case 'uri':
        if (req.labels[wireName] !== undefined)
          out[name] = dec.text(ref, req.labels[wireName], name);
        break;
      case 'querystring':
        if (req.query[wireName] !== undefined) out[name] = dec.text(ref, req.query[wireName], name);
        break;
      case 'header': {
        const v = req.headers[wireName.toLowerCase()];
        if (v !== undefined) out[name] = dec.text(ref, v, name);
        break;
      }
      default:
        bodyMembers.push([name, ref]);
    }
  }
  if (bodyMembers.length > 0) {
    const doc = parseJsonBody(req.body);
    for (const [name, ref] of bodyMembers) {
      const v = doc[name];
      if (v !== undefined && v !== null) out[name] = dec.json(ref, v, name);
    }
  }
  dec.required(shape, out, '');
  dec.check();
  return out;
}

export function parseJsonBody(body: Uint8Array): Record<string, unknown> {
  if (body.length === 0) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (e) {
    throw new ApiError(
      'ValidationException',
      400,
      `Request body is not valid JSON: ${(e as Error).message}`,
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ApiError(
      'ValidationException',
      400,
      `Request body must be a JSON object, got ${Array.isArray(doc) ? 'an array' : typeof doc}`,
    );
  }
  return doc as Record<string, unknown>;
}

/** The success response body for an operation's output (`{}` for operations without output). */
export function encodeOutput(model: ServiceModel, op: Operation, value: unknown): string {
  if (!op.output) return '{}';
  return JSON.stringify(encodeJson(model, op.output, value ?? {}) ?? {});
}
