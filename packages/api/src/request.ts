import type { IncomingMessage } from 'node:http';
import { decodePercent } from './errors.js';
import { scopeService } from './sigv4.js';
import { FWSIGN_ROOT } from './ota.js';
import { isSignerPath, signerRoute } from './signer.js';

export type Protocol = 'signer' | 'acm' | 's3' | 'iam' | 'sts';

/** ACM by X-Amz-Target; otherwise the signing scope's service (IAM and STS only so); otherwise Signer's routes or S3. */
export function pickProtocol(
  method: string,
  rawPath: string,
  headers: Record<string, string | undefined>,
): Protocol {
  if (headers['x-amz-target'] !== undefined) return 'acm';
  const svc = scopeService(headers['authorization']);
  if (svc === 's3' || svc === 'signer' || svc === 'acm' || svc === 'iam' || svc === 'sts')
    return svc;
  // fwsign's own routes are signed for Signer and answered in its shapes.
  if (rawPath.split('/')[1] === FWSIGN_ROOT) return 'signer';
  try {
    return signerRoute(method, rawPath) || isSignerPath(rawPath) ? 'signer' : 's3';
  } catch {
    // Undecodable labels: judge by the first segment, which Signer's routes spell literally.
    return SIGNER_ROOTS.has(rawPath.split('/')[1] ?? '') ? 'signer' : 's3';
  }
}

const SIGNER_ROOTS = new Set([
  'signing-profiles',
  'signing-jobs',
  'signing-platforms',
  'tags',
  'revocations',
]);

/** Decodes a raw query string as SigV4 canonicalizes it: '+' is a literal, repeated keys form a list. */
export function parseQuery(raw: string): Record<string, string | string[]> {
  // No prototype: a query key named __proto__ must stay a plain key.
  const out = Object.create(null) as Record<string, string | string[]>;
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodePercent(eq < 0 ? part : part.slice(0, eq), 'query string');
    const v = eq < 0 ? '' : decodePercent(part.slice(eq + 1), 'query string');
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * Lower-cased header names; repeated headers joined with ',' as SigV4 canonicalization does.
 * Built from rawHeaders in one pass: req.headersDistinct would build a second map of arrays.
 */
export function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out = Object.create(null) as Record<string, string | undefined>;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    const prev = out[k];
    out[k] = prev === undefined ? raw[i + 1]! : `${prev},${raw[i + 1]!}`;
  }
  return out;
}
