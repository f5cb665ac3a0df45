import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { bodyChunks, ClientHangUp, readBody } from './body.js';
import { malformedHttpAnswer } from './http-errors.js';
import { identityOf, loadCredentials, type Credential, type Identity } from './credentials.js';
import { ApiError, toApiError } from './errors.js';
import {
  AuthFailure,
  checkCaller,
  signsDeclaredHash,
  verifySignature,
  type Caller,
  type ReceivedRequest,
  type Verified,
} from './sigv4.js';
import { authError } from './auth-errors.js';
import { verifiedPayload } from './payload.js';
import { handleS3, notImplemented, XML_OPERATIONS, type S3Response } from './s3.js';
import { putObject, putObjectHeaders, STREAMED_OPERATIONS } from './s3-put.js';
import { MAX_XML_BYTES } from './s3-xml.js';
import { handleAcm } from './acm.js';
import { handleSigner, knownOperation } from './signer.js';
import { otaJobDocument } from './ota.js';
import { checkIssued, principalOf, Principals, type Signer } from './principals.js';
import { enforceS3, gateFor, ownGate, s3ReadGate } from './authz.js';
import { ProfileFactsCache } from './profile-facts.js';
import { routeRequest, type Routed } from './route.js';
import { handleQuery } from './iam.js';
import { queryParams, wireError } from './query.js';
import type { Protocol } from './request.js';
import { ByteBudget, RateLimiter } from './rate-limit.js';
import { AccessLog } from './access-log.js';
import { ConsoleStatic } from './console-static.js';
import { openStore, UPLOAD_WRITE_BYTES } from '@fwsign/store';
import {
  DEFAULT_MAX_OBJECT_BYTES,
  DEFAULT_RATE_LIMIT,
  type ApiStore,
  type SignerServerOptions,
} from './server-options.js';
import { handleAudit } from './audit-routes.js';

interface Exchange {
  requestId: string;
  protocol: Protocol;
  operation: string;
  accountId?: string;
  /** Who signed the request (after authentication): whose policies authorize it. */
  signer?: Signer;
  /** The status answered (499: the client went away first). */
  status: number;
  /** Appended to the access-log line. */
  note: string;
}

const EMPTY = new Uint8Array(0);

/** Largest header block taken (Node's default, stated so it cannot change under us); more is a 431. */
const MAX_HEADER_BYTES = 16 * 1024;

/** The AWS-Signer-compatible HTTP server: Signer (rest-json), ACM (awsJson1_1) and an S3 subset on one port. */
export class SignerServer {
  private readonly server: Server;
  private credentials: Map<string, Credential>;
  private readonly principals: Principals;
  private readonly facts: ProfileFactsCache;
  private readonly limiter: RateLimiter | undefined;
  private readonly log: ((line: string) => void) | undefined;
  /** The default stderr access log, batched per event-loop turn. */
  private readonly ownLog: AccessLog | undefined;
  private readonly bodies: ByteBudget;
  private inFlight = 0;
  private closing: Promise<void> | undefined;
  private readonly checkpoints: NodeJS.Timeout | undefined;
  readonly region: string;

  /** Opens the store in `dataDir` (creating it) and builds a server that owns it. */
  static async open(
    opts: Omit<SignerServerOptions, 'store'> & { store?: ApiStore },
  ): Promise<SignerServer> {
    const store =
      opts.store ??
      openStore({
        dataDir: opts.dataDir,
        region: opts.region ?? 'us-east-1',
        ...(opts.auditLog === false ? { audit: false } : {}),
        ...(opts.auditOrigin !== undefined ? { auditOrigin: opts.auditOrigin } : {}),
        ...(opts.managedKeysPkcs11Uri ? { managedKeysPkcs11Uri: opts.managedKeysPkcs11Uri } : {}),
        ...(opts.database !== undefined ? { database: opts.database } : {}),
      });
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
    this.principals = new Principals(() => this.credentials, opts.store.iam);
    this.facts = new ProfileFactsCache(opts.store);
    const rl = opts.rateLimit === undefined ? DEFAULT_RATE_LIMIT : opts.rateLimit;
    this.limiter = rl === false ? undefined : new RateLimiter(rl.ratePerSecond, rl.burst);
    if (opts.accessLog === undefined)
      this.ownLog = new AccessLog((text) => process.stderr.write(text));
    this.log = opts.accessLog === false ? undefined : (opts.accessLog ?? this.ownLog!.line);
    const web = opts.consoleDir ? new ConsoleStatic(opts.consoleDir) : undefined;
    this.server = createServer(
      {
        keepAliveTimeout: 5000,
        maxHeaderSize: MAX_HEADER_BYTES,
        headersTimeout: opts.headersTimeoutMs ?? 10_000,
        requestTimeout: opts.requestTimeoutMs ?? 120_000,
      },
      (req, res) => void (web?.claims(req) ? web.serve(req, res) : this.handle(req, res)),
    );
    this.server.maxConnections = opts.maxConnections ?? 1024;
    const audit = opts.store.audit;
    if (audit && opts.checkpointIntervalMs !== undefined) {
      this.checkpoints = setInterval(() => {
        audit.checkpointIfGrown().catch((err: unknown) => {
          this.log?.(`${new Date().toISOString()} checkpoint failed: ${(err as Error).message}`);
        });
      }, opts.checkpointIntervalMs);
      this.checkpoints.unref();
    }
    this.bodies = new ByteBudget(opts.maxBodyBytesInFlight ?? 256 * 1024 * 1024);
    this.server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
      const answer = malformedHttpAnswer(err, randomUUID());
      if (answer && socket.writable) {
        socket.end(answer.text);
        this.log?.(
          `${new Date().toISOString()} ${answer.requestId} -:- ${answer.status} 0.0ms account=- ${err.code ?? 'malformed HTTP'}`,
        );
      } else socket.destroy();
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
      clearInterval(this.checkpoints);
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

  /** One request: route, authenticate (headers first, body after), dispatch; answer errors AWS-shaped; log. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    this.inFlight++;
    const x: Exchange = {
      requestId: randomUUID(),
      protocol: 's3',
      operation: '-',
      status: 500,
      note: '',
    };
    try {
      await this.serve(req, res, x, routeRequest(req, x));
    } catch (err) {
      this.fail(req, res, x, err);
    } finally {
      this.inFlight--;
      this.log?.(
        `${new Date().toISOString()} ${x.requestId} ${x.protocol}:${x.operation} ${x.status} ${(performance.now() - started).toFixed(1)}ms account=${x.accountId ?? '-'}${x.note}`,
      );
    }
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    x: Exchange,
    r: Routed,
  ): Promise<void> {
    // Who is asking, before a byte of the body is read or buffered.
    x.signer = await this.principals.lookup(r.headers);
    const caller = this.auth(x, () => this.checkCaller(x, r.headers));
    x.accountId = caller.credential.accountId;
    const signed = signedPart(r);
    let verified = signsDeclaredHash(caller)
      ? await this.auth(x, () => verifySignature({ ...signed, body: EMPTY }, caller))
      : undefined;
    if (x.protocol === 's3') {
      // Answered from the headers, the body left unread: a malformed request line, an operation
      // this subset does not serve; PutObject's body is streamed.
      if (r.routeError) throw r.routeError.thrown;
      if (x.operation === 'Unsupported') throw notImplemented(r.method, r.rawPath);
      if (STREAMED_OPERATIONS.has(x.operation)) {
        await this.putObject(req, res, x, r, caller, verified);
        return;
      }
    }
    const body = await this.readBodyOf(req, x);
    verified ??= await this.auth(x, () => verifySignature({ ...signed, body }, caller));
    const id = this.admit(verified, x, r);
    const payload = await verifiedPayload(verified, r.headers, body);
    if (r.routeError) throw r.routeError.thrown;
    await this.dispatch(res, x, r, id, payload);
  }

  /** The caller, proven by its signature (and session token), if its account is within its request rate. */
  private admit(verified: Verified, x: Exchange, r: Routed): Identity {
    const signer = x.signer!;
    this.auth(x, () => checkIssued(signer, verified, r.headers));
    const id = identityOf(verified.credential);
    if (this.limiter && !this.limiter.take(id.accountId))
      throw new ApiError(
        'TooManyRequestsException',
        429,
        `Rate exceeded for account ${id.accountId}`,
      );
    return id;
  }

  /** PutObject (s3-put.ts), its body reserving at most the store's write batch of the bytes-in-flight budget. */
  private async putObject(
    req: IncomingMessage,
    res: ServerResponse,
    x: Exchange,
    r: Routed,
    caller: Caller,
    verified: Verified | undefined,
  ): Promise<void> {
    const maxBytes = this.opts.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    const announced = putObjectHeaders(r.headers, maxBytes);
    const id = verified ? this.admit(verified, x, r) : identityOf(caller.credential);
    // Authorized once the caller is proven: before the body when the signature covers its declared
    // hash, otherwise after the body's hash proves the signature (and before the object is committed).
    if (verified) await this.enforceS3(x, r, id);
    const release = this.bodies.take(Math.min(announced.size ?? maxBytes, UPLOAD_WRITE_BYTES));
    try {
      const put = await putObject(this.opts.store.buckets, id, {
        rawPath: r.rawPath,
        headers: r.headers,
        announced,
        maxBytes,
        body: bodyChunks(req, { idleMs: this.opts.bodyIdleTimeoutMs ?? 10_000 }),
        ...(verified ? { verified } : {}),
        verifyBodyHash: async (sha256) => {
          const request = { ...signedPart(r), body: EMPTY };
          this.admit(await this.auth(x, () => verifySignature(request, caller, sha256)), x, r);
          if (!verified) await this.enforceS3(x, r, id);
        },
      });
      this.sendS3(res, x, put);
    } finally {
      release();
    }
  }

  private async dispatch(
    res: ServerResponse,
    x: Exchange,
    r: Routed,
    id: Identity,
    payload: Uint8Array,
  ): Promise<void> {
    const { store } = this.opts;
    if (r.audit) {
      const gate = ownGate(store, principalOf(x.signer!), id, this.region);
      const out = await handleAudit(store.audit, id.accountId, r.method, r.rawPath, r.query, gate);
      x.status = 200;
      this.send(
        res,
        200,
        { 'content-type': 'application/json', 'x-amzn-requestid': x.requestId },
        JSON.stringify(out),
      );
    } else if (x.protocol === 'iam' || x.protocol === 'sts') {
      const params = queryParams(payload, r.query);
      x.operation = params.Action ?? 'Unknown';
      const call = {
        store,
        principal: principalOf(x.signer!),
        id,
        region: this.region,
        requestId: x.requestId,
      };
      const out = await handleQuery(x.protocol, call, params);
      x.status = 200;
      this.send(res, 200, { 'content-type': 'text/xml', 'x-amzn-requestid': x.requestId }, out);
    } else if (x.protocol === 's3') {
      await this.enforceS3(x, r, id);
      this.sendS3(res, x, await handleS3(store.buckets, id, { ...r, body: payload }, x.operation));
    } else if (x.protocol === 'acm') {
      const out = await handleAcm(store, id, x.operation, payload, this.gate(x, 'acm', id));
      x.status = 200;
      this.send(
        res,
        200,
        { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': x.requestId },
        out,
      );
    } else {
      // Signer's operations, and fwsign's own route beside them (ota.ts): rest-json both.
      const gate = this.gate(x, 'signer', id);
      // The OTA job document shows a job and reads its signed object: DescribeSigningJob is needed,
      // and s3:GetObject on the object (checked by ota.ts once the job names it).
      if (r.ota) await gate('DescribeSigningJob', { jobId: r.ota.jobId });
      const out = r.ota
        ? {
            status: 200,
            body: await otaJobDocument(store, id, r.ota.jobId, r.query, this.s3Read(x, id)),
          }
        : await handleSigner(
            store,
            id,
            knownOperation(r),
            { query: r.query, headers: r.headers, body: payload },
            gate,
          );
      x.status = out.status;
      this.send(
        res,
        out.status,
        { 'content-type': 'application/json', 'x-amzn-requestid': x.requestId },
        out.body,
      );
    }
  }

  /** Authorizes a Signer or ACM operation once its input is decoded (before the store runs it). */
  private gate(x: Exchange, service: 'signer' | 'acm', id: Identity) {
    const facts = this.facts.reader(x.signer?.generation);
    return gateFor(this.opts.store, principalOf(x.signer!), id, service, this.region, facts);
  }

  private s3Read(x: Exchange, id: Identity) {
    return s3ReadGate(this.opts.store, principalOf(x.signer!), id, this.region);
  }

  private enforceS3(x: Exchange, r: Routed, id: Identity): Promise<void> {
    return enforceS3(this.opts.store, principalOf(x.signer!), id, x.operation, r, this.region);
  }

  private sendS3(res: ServerResponse, x: Exchange, out: S3Response): void {
    x.status = out.status;
    this.send(
      res,
      out.status,
      { ...out.headers, 'x-amz-request-id': x.requestId },
      out.omitBody ? undefined : out.body,
      out.headers['content-length'],
    );
  }

  /** Answers an error in the protocol's shape; a client that went away gets a 499 log line and nothing else. */
  private fail(req: IncomingMessage, res: ServerResponse, x: Exchange, err: unknown): void {
    if (err instanceof ClientHangUp || res.destroyed) {
      // Nobody is left to answer; nginx's 499 names this in access logs.
      x.status = 499;
      x.note = ` client closed the connection${err instanceof ClientHangUp ? ` after ${err.received} body bytes` : ''}`;
      return;
    }
    const e = toApiError(err);
    if (e.status >= 500 && !(err instanceof ApiError)) {
      process.stderr.write(
        `${x.requestId} internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    }
    const wire = wireError(x.protocol, e, x.requestId, (req.url ?? '').split('?')[0]);
    x.status = wire.status;
    // A body left unread (refused, too large, too slow) is not drained: the connection closes.
    const headers = req.complete ? wire.headers : { ...wire.headers, connection: 'close' };
    this.send(res, wire.status, headers, req.method === 'HEAD' ? undefined : wire.body);
  }

  /**
   * Reads the body under the limit of what the operation takes and the server's budget of bytes in
   * flight. S3 object bodies are streamed (putObject); every other S3 body is at most an XML document.
   */
  private async readBodyOf(req: IncomingMessage, x: Exchange): Promise<Uint8Array> {
    const s3 = x.protocol === 's3';
    const limit = s3 ? MAX_XML_BYTES : (this.opts.maxJsonBytes ?? 1024 * 1024);
    const declared = Number(req.headers['content-length'] ?? NaN);
    const reserve =
      Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, limit) : limit;
    const release = this.bodies.take(reserve);
    try {
      return await readBody(req, {
        limit,
        idleMs: this.opts.bodyIdleTimeoutMs ?? 10_000,
        ...(s3
          ? {
              tooLarge: (size, max) =>
                new ApiError(
                  'MaxMessageLengthExceeded',
                  400,
                  `Your request was too big: ${x.operation} takes ${XML_OPERATIONS.has(x.operation) ? 'an XML document' : 'a body'} of at most ${max} bytes, got ${size}.`,
                ),
            }
          : {}),
      });
    } finally {
      // The bytes are held until the exchange ends, but the budget guards reading, not the store's copy.
      release();
    }
  }

  private checkCaller(x: Exchange, headers: Record<string, string | undefined>): Caller {
    const signer = x.signer;
    const c = checkCaller(
      headers,
      (k) => (signer?.credential.accessKeyId === k ? signer.credential : undefined),
      {
        region: this.region,
        ...(this.opts.maxSkewMs !== undefined ? { maxSkewMs: this.opts.maxSkewMs } : {}),
      },
    );
    if (c.auth.service !== x.protocol) {
      throw new AuthFailure(
        'bad-signature',
        `Credential should be scoped to correct service: '${x.protocol}', not '${c.auth.service}'.`,
      );
    }
    return c;
  }

  /** Runs an authentication step, turning its AuthFailure into the protocol's error. */
  private auth<T>(x: Exchange, step: () => T): T {
    const family = x.protocol === 's3' ? 's3' : 'json';
    const rethrow = (err: unknown): never => {
      throw err instanceof AuthFailure ? authError(err, family) : err;
    };
    try {
      const out = step();
      return (out instanceof Promise ? out.catch(rethrow) : out) as T;
    } catch (err) {
      return rethrow(err);
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

/** What a signature covers of a request besides its body. */
const signedPart = (r: Routed): Omit<ReceivedRequest, 'body'> => ({
  method: r.method,
  rawPath: r.rawPath,
  query: r.query,
  headers: r.headers,
});
