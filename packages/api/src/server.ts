import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readBody } from './body.js';
import { loadCredentials, type Credential, type Identity } from './credentials.js';
import {
  ApiError,
  awsJsonError,
  restJsonError,
  s3Error,
  toApiError,
  type WireError,
} from './errors.js';
import { AuthFailure, scopeService, verifyRequest, type Verified } from './sigv4.js';
import { authError } from './auth-errors.js';
import { verifiedPayload } from './payload.js';
import { handleS3, s3Operation, type S3Buckets } from './s3.js';
import { acmOperation, handleAcm, type AcmStore } from './acm.js';
import { handleSigner, isSignerPath, signerRoute } from './signer.js';
import { RateLimiter } from './rate-limit.js';
import { AccessLog } from './access-log.js';
import { ConsoleStatic } from './console-static.js';
import { SignerStore } from '@fwsign/store';

/** What the server needs of the store: Signer operations by name, ACM's four, the buckets. */
export interface ApiStore extends AcmStore {
  readonly buckets: S3Buckets;
  close(): void | Promise<void>;
}

export interface SignerServerOptions {
  dataDir: string;
  store: ApiStore;
  port?: number;
  host?: string;
  region?: string;
  /** Largest JSON request body (Signer, ACM). */
  maxJsonBytes?: number;
  /** Largest S3 object body. */
  maxObjectBytes?: number;
  /** Per-account request rate; `false` turns the limit off. */
  rateLimit?: { ratePerSecond: number; burst: number } | false;
  /** Where access-log lines go (default stderr); `false` for none. */
  accessLog?: ((line: string) => void) | false;
  maxSkewMs?: number;
  /** Closes the store when the server closes (default true). */
  ownsStore?: boolean;
  /** The web console's built files, served at /console/ (none when absent). */
  consoleDir?: string;
}

type Protocol = 'signer' | 'acm' | 's3';

interface Exchange {
  requestId: string;
  protocol: Protocol;
  operation: string;
  accountId?: string;
}

export const DEFAULT_RATE_LIMIT = { ratePerSecond: 5000, burst: 10000 };

/** The AWS-Signer-compatible HTTP server: Signer (rest-json), ACM (awsJson1_1) and an S3 subset on one port. */
export class SignerServer {
  private readonly server: Server;
  private credentials: Map<string, Credential>;
  private readonly limiter: RateLimiter | undefined;
  private readonly log: ((line: string) => void) | undefined;
  /** The default stderr access log, batched per event-loop turn. */
  private readonly ownLog: AccessLog | undefined;
  private inFlight = 0;
  private closing: Promise<void> | undefined;
  readonly region: string;

  /** Opens the store in `dataDir` (creating it) and builds a server that owns it. */
  static async open(
    opts: Omit<SignerServerOptions, 'store'> & { store?: ApiStore },
  ): Promise<SignerServer> {
    const store =
      opts.store ?? SignerStore.open({ dataDir: opts.dataDir, region: opts.region ?? 'us-east-1' });
    try {
      return new SignerServer({ ...opts, store });
    } catch (err) {
      if (!opts.store) await store.close();
      throw err;
    }
  }

  constructor(private readonly opts: SignerServerOptions) {
    this.region = opts.region ?? 'us-east-1';
    this.credentials = loadCredentials(opts.dataDir);
    const rl = opts.rateLimit === undefined ? DEFAULT_RATE_LIMIT : opts.rateLimit;
    this.limiter = rl === false ? undefined : new RateLimiter(rl.ratePerSecond, rl.burst);
    if (opts.accessLog === undefined)
      this.ownLog = new AccessLog((text) => process.stderr.write(text));
    this.log = opts.accessLog === false ? undefined : (opts.accessLog ?? this.ownLog!.line);
    const web = opts.consoleDir ? new ConsoleStatic(opts.consoleDir) : undefined;
    this.server = createServer(
      { keepAliveTimeout: 5000 },
      (req, res) => void (web?.claims(req) ? web.serve(req, res) : this.handle(req, res)),
    );
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }

  /**
   * Re-reads `credentials.json` (e.g. after adding an account); requests already verified keep
   * their identity. Returns the number of access keys now known. A broken file keeps the old set.
   */
  reloadCredentials(): number {
    this.credentials = loadCredentials(this.opts.dataDir);
    return this.credentials.size;
  }

  /** Starts listening; resolves with the address (port 0 picks a free one). */
  listen(): Promise<{ host: string; port: number; url: string }> {
    const host = this.opts.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 8080, host, () => {
        this.server.off('error', reject);
        const port = (this.server.address() as AddressInfo).port;
        resolve({ host, port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` });
      });
    });
  }

  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes the store. */
  close(graceMs = 10_000): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (this.inFlight > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      this.server.closeAllConnections();
      await stopped;
      this.ownLog?.flush();
      if (this.opts.ownsStore !== false) await this.opts.store.close();
    })();
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    this.inFlight++;
    const x: Exchange = { requestId: randomUUID(), protocol: 's3', operation: '-' };
    let status = 500;
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
      const headers = flatHeaders(req);
      const method = req.method ?? 'GET';
      const target = headers['x-amz-target'];
      x.protocol = pickProtocol(method, rawPath, headers);
      // Routing may throw (a malformed label); that answer must come after authentication.
      let match: ReturnType<typeof signerRoute>;
      let routeError: unknown;
      try {
        match = x.protocol === 'signer' ? signerRoute(method, rawPath) : undefined;
        x.operation =
          x.protocol === 'acm'
            ? (acmOperation(target) ?? String(target))
            : x.protocol === 's3'
              ? s3Operation({ method, rawPath, query, headers })
              : (match?.op.name ?? 'Unknown');
      } catch (err) {
        routeError = err;
      }
      const limit =
        x.protocol === 's3'
          ? (this.opts.maxObjectBytes ?? 64 * 1024 * 1024)
          : (this.opts.maxJsonBytes ?? 1024 * 1024);
      const body = await readBody(req, limit);

      const verified = await this.authenticate(x, { method, rawPath, query, headers, body });
      const id: Identity = {
        accountId: verified.credential.accountId,
        principalArn: verified.credential.principalArn,
      };
      x.accountId = id.accountId;
      if (this.limiter && !this.limiter.take(id.accountId)) {
        throw new ApiError(
          x.protocol === 's3' ? 'SlowDown' : 'TooManyRequestsException',
          x.protocol === 's3' ? 503 : 429,
          `Rate exceeded for account ${id.accountId}`,
        );
      }
      const payload = await verifiedPayload(verified, headers, body);
      if (routeError) throw routeError;

      if (x.protocol === 's3') {
        const r = handleS3(
          this.opts.store.buckets,
          id,
          { method, rawPath, query, headers, body: payload },
          x.operation,
        );
        status = r.status;
        this.send(
          res,
          r.status,
          { ...r.headers, 'x-amz-request-id': x.requestId },
          r.omitBody ? undefined : r.body,
          r.headers['content-length'],
        );
      } else if (x.protocol === 'acm') {
        const out = await handleAcm(this.opts.store, id, x.operation, payload);
        status = 200;
        this.send(
          res,
          200,
          { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': x.requestId },
          out,
        );
      } else {
        if (!match) {
          throw new ApiError(
            'UnknownOperationException',
            404,
            `No Signer operation is ${method} ${rawPath.slice(0, 200)}`,
          );
        }
        const r = await handleSigner(this.opts.store, id, match, { query, headers, body: payload });
        status = r.status;
        this.send(
          res,
          r.status,
          { 'content-type': 'application/json', 'x-amzn-requestid': x.requestId },
          r.body,
        );
      }
    } catch (err) {
      const e = toApiError(err);
      if (e.status >= 500 && !(err instanceof ApiError)) {
        process.stderr.write(
          `${x.requestId} internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
        );
      }
      const wire: WireError =
        x.protocol === 's3'
          ? s3Error(e, x.requestId, (req.url ?? '').split('?')[0])
          : x.protocol === 'acm'
            ? awsJsonError(e, x.requestId)
            : restJsonError(e, x.requestId);
      status = wire.status;
      this.send(res, wire.status, wire.headers, req.method === 'HEAD' ? undefined : wire.body);
    } finally {
      this.inFlight--;
      this.log?.(
        `${new Date().toISOString()} ${x.requestId} ${x.protocol}:${x.operation} ${status} ${(performance.now() - started).toFixed(1)}ms account=${x.accountId ?? '-'}`,
      );
    }
  }

  private async authenticate(
    x: Exchange,
    req: Parameters<typeof verifyRequest>[0],
  ): Promise<Verified> {
    const family = x.protocol === 's3' ? 's3' : 'json';
    try {
      const v = await verifyRequest(req, (k) => this.credentials.get(k), {
        region: this.region,
        ...(this.opts.maxSkewMs !== undefined ? { maxSkewMs: this.opts.maxSkewMs } : {}),
      });
      if (v.auth.service !== x.protocol) {
        throw new AuthFailure(
          'bad-signature',
          `Credential should be scoped to correct service: '${x.protocol}', not '${v.auth.service}'.`,
        );
      }
      return v;
    } catch (err) {
      if (err instanceof AuthFailure) throw authError(err, family);
      throw err;
    }
  }

  private send(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: Uint8Array | string | undefined,
    length?: string,
  ): void {
    if (res.headersSent) return;
    const size =
      body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    res.writeHead(status, { ...headers, 'content-length': length ?? String(size) });
    // A string goes out in one write with the header block (node:http joins them); no Buffer copy.
    res.end(body);
  }
}

/** ACM by X-Amz-Target; otherwise the signing scope's service; otherwise Signer's routes or S3. */
function pickProtocol(
  method: string,
  rawPath: string,
  headers: Record<string, string | undefined>,
): Protocol {
  if (headers['x-amz-target'] !== undefined) return 'acm';
  const svc = scopeService(headers['authorization']);
  if (svc === 's3' || svc === 'signer' || svc === 'acm') return svc;
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
  const out: Record<string, string | string[]> = Object.create(null);
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeLoosely(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeLoosely(part.slice(eq + 1));
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function decodeLoosely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ApiError(
      'ValidationException',
      400,
      `Malformed percent-encoding in query string near '${s.slice(0, 64)}'`,
    );
  }
}

/**
 * Lower-cased header names; repeated headers joined with ',' as SigV4 canonicalization does.
 * Built from rawHeaders in one pass: req.headersDistinct would build a second map of arrays.
 */
function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = Object.create(null);
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    const prev = out[k];
    out[k] = prev === undefined ? raw[i + 1]! : `${prev},${raw[i + 1]!}`;
  }
  return out;
}
