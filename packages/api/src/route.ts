import type { IncomingMessage } from 'node:http';
import { acmOperation } from './acm.js';
import { auditOperation, isAuditPath } from './audit-routes.js';
import type { Match } from './model/rest-json.js';
import { otaRoute, OTA_OPERATION } from './ota.js';
import { flatHeaders, parseQuery, pickProtocol, type Protocol } from './request.js';
import { s3Operation } from './s3.js';
import { signerRoute } from './signer.js';

/** A request as routing saw it. */
export interface Routed {
  method: string;
  rawPath: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | undefined>;
  match?: Match | undefined;
  /** fwsign's OTA job document route (ota.ts), when Signer's routes did not match. */
  ota?: { jobId: string } | undefined;
  routeError?: { thrown: unknown };
  /** A transparency-log route (answered Signer-shaped). */
  audit?: boolean;
}

/** Names the protocol and operation. Routing may throw (a malformed label): kept for after authentication. */
export function routeRequest(
  req: IncomingMessage,
  x: { protocol: Protocol; operation: string },
): Routed {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const headers = flatHeaders(req);
  const method = req.method ?? 'GET';
  const r: Routed = { method, rawPath, headers, query: Object.create(null) as Routed['query'] };
  if (isAuditPath(rawPath)) {
    x.protocol = 'signer';
    x.operation = auditOperation(rawPath);
    r.audit = true;
    try {
      r.query = parseQuery(q < 0 ? '' : url.slice(q + 1));
    } catch (err) {
      r.routeError = { thrown: err };
    }
    return r;
  }
  x.protocol = pickProtocol(method, rawPath, headers);
  try {
    r.query = parseQuery(q < 0 ? '' : url.slice(q + 1));
    r.match = x.protocol === 'signer' ? signerRoute(method, rawPath) : undefined;
    r.ota = x.protocol === 'signer' && !r.match ? otaRoute(method, rawPath) : undefined;
    x.operation =
      x.protocol === 'acm'
        ? (acmOperation(headers['x-amz-target']) ?? String(headers['x-amz-target']))
        : x.protocol === 's3'
          ? s3Operation({ method, rawPath, query: r.query, headers })
          : (r.match?.op.name ?? (r.ota ? OTA_OPERATION : 'Unknown'));
  } catch (err) {
    r.routeError = { thrown: err };
  }
  return r;
}
