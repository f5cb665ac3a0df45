import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credential } from './credentials.js';

/** What went wrong with a request's signature; each protocol names these its own way. */
export type AuthFailureKind =
  | 'missing'
  | 'malformed'
  | 'unknown-key'
  | 'bad-signature'
  | 'skewed'
  | 'wrong-region'
  /** Temporary credentials past their expiry. */
  | 'expired';

export class AuthFailure extends Error {
  override readonly name = 'AuthFailure';
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
  ) {
    super(message);
  }
}

interface ParsedAuthorization {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256 +Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;._-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

export function parseAuthorization(header: string): ParsedAuthorization {
  const m = AUTH_RE.exec(header);
  if (!m) {
    throw new AuthFailure(
      'malformed',
      `Authorization header expected 'AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=..., Signature=<64 hex>', got '${header.split('Signature=')[0]!.slice(0, 160)}'`,
    );
  }
  return {
    accessKeyId: m[1]!,
    shortDate: m[2]!,
    region: m[3]!,
    service: m[4]!,
    signedHeaders: m[5]!.split(';'),
    signature: m[6]!,
  };
}

/** The service a request is signed for, without verifying anything (used to pick the protocol). */
export function scopeService(authorization: string | undefined): string | undefined {
  return authorization
    ? /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(authorization)?.[1]
    : undefined;
}

/** A received request as the verifier needs it: raw path, decoded query, headers, full body. */
export interface ReceivedRequest {
  method: string;
  rawPath: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

export interface Verified {
  credential: Credential;
  auth: ParsedAuthorization;
  signingDate: Date;
  longDate: string;
  signer: SignatureV4;
}

export interface VerifyOptions {
  now?: Date;
  maxSkewMs?: number;
  region: string;
}

/**
 * Recomputes the request's SigV4 signature with @smithy/signature-v4 from exactly the headers the
 * client listed in SignedHeaders and compares it in constant time.
 */
export async function verifyRequest(
  req: ReceivedRequest,
  lookup: (accessKeyId: string) => Credential | undefined,
  opts: VerifyOptions,
): Promise<Verified> {
  return verifySignature(req, checkCaller(req.headers, lookup, opts));
}

/** Who is asking, from the headers alone: a well-formed Authorization of a known key, in time, for our region. */
export interface Caller {
  credential: Credential;
  auth: ParsedAuthorization;
  signingDate: Date;
  longDate: string;
}

/**
 * The checks that need no body: run before a body is read, so an unknown or stale caller
 * cannot make the server buffer anything.
 */
export function checkCaller(
  headers: Record<string, string | undefined>,
  lookup: (accessKeyId: string) => Credential | undefined,
  opts: VerifyOptions,
): Caller {
  const req = { headers };
  const header = req.headers['authorization'];
  if (!header) throw new AuthFailure('missing', 'Missing Authentication Token');
  const auth = parseAuthorization(header);
  const longDate = req.headers['x-amz-date'];
  if (!longDate || !/^\d{8}T\d{6}Z$/.test(longDate)) {
    throw new AuthFailure(
      'malformed',
      `X-Amz-Date expected YYYYMMDDTHHMMSSZ, got '${longDate ?? '(none)'}'`,
    );
  }
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) {
    throw new AuthFailure(
      'malformed',
      `SignedHeaders must include host and x-amz-date, got '${auth.signedHeaders.join(';')}'`,
    );
  }
  if (longDate.slice(0, 8) !== auth.shortDate) {
    throw new AuthFailure(
      'malformed',
      `Credential scope date ${auth.shortDate} does not match X-Amz-Date ${longDate}`,
    );
  }
  const signingDate = new Date(
    `${longDate.slice(0, 4)}-${longDate.slice(4, 6)}-${longDate.slice(6, 8)}T${longDate.slice(9, 11)}:${longDate.slice(11, 13)}:${longDate.slice(13, 15)}Z`,
  );
  const now = opts.now ?? new Date();
  const maxSkew = opts.maxSkewMs ?? 15 * 60_000;
  if (
    !Number.isFinite(signingDate.getTime()) ||
    Math.abs(now.getTime() - signingDate.getTime()) > maxSkew
  ) {
    throw new AuthFailure(
      'skewed',
      `Signature expired: ${longDate} is now earlier or later than ${compactDate(now)} by more than ${maxSkew / 60_000} min.`,
    );
  }
  const credential = lookup(auth.accessKeyId);
  if (!credential)
    throw new AuthFailure('unknown-key', 'The security token included in the request is invalid.');
  if (auth.region !== opts.region) {
    throw new AuthFailure(
      'wrong-region',
      `Credential should be scoped to a valid region, not '${auth.region}'; this server is '${opts.region}'.`,
    );
  }
  return { credential, auth, signingDate, longDate };
}

const SHA256_HEADER = 'x-amz-content-sha256';

/** True when the signature covers the body through a signed `x-amz-content-sha256` (S3), so it can be checked before the body arrives. */
export function signsDeclaredHash(caller: Caller): boolean {
  return caller.auth.signedHeaders.includes(SHA256_HEADER);
}

/**
 * Checks the signature itself; `req.body` is read only when no signed `x-amz-content-sha256`
 * stands for it. `bodySha256` (hex) stands for a body hashed as it streamed by: then `req.body`
 * is not read at all.
 */
export async function verifySignature(
  req: ReceivedRequest,
  caller: Caller,
  bodySha256?: string,
): Promise<Verified> {
  const { credential, auth, signingDate, longDate } = caller;
  const signed: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const v = req.headers[name];
    if (v !== undefined) signed[name] = v;
  }
  // smithy takes a payload hash only from this header; marked unsignable, it stays out of the
  // canonical headers the client listed (none of which is this header, or bodySha256 is not needed).
  if (bodySha256 !== undefined) signed[SHA256_HEADER] = bodySha256;
  const signer = signerFor(credential, auth.region, auth.service);
  const recomputed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: '',
      path: req.rawPath,
      query: req.query,
      headers: signed,
      body: req.body,
    },
    {
      signingDate,
      signableHeaders: new Set(auth.signedHeaders),
      ...(bodySha256 !== undefined ? { unsignableHeaders: new Set([SHA256_HEADER]) } : {}),
    },
  );
  // smithy writes '..., SignedHeaders=<list>, Signature=<64 hex>': read both straight off its own header.
  const ours = String(recomputed.headers['authorization']);
  const sigAt = ours.lastIndexOf(', Signature=');
  const ourList = ours.slice(ours.indexOf('SignedHeaders=') + 14, sigAt);
  if (
    sigAt < 0 ||
    ourList !== auth.signedHeaders.join(';') ||
    !hexEqual(ours.slice(sigAt + 12), auth.signature)
  ) {
    throw new AuthFailure(
      'bad-signature',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { credential, auth, signingDate, longDate, signer };
}

/**
 * SignatureV4 instances are stateless between sign() calls, so one per (key, secret, region,
 * service) is reused instead of built per request; a reloaded credential with a new secret gets
 * a new entry. Bounded: cleared when full.
 */
const signers = new Map<string, SignatureV4>();
const MAX_CACHED_SIGNERS = 1024;

function signerFor(credential: Credential, region: string, service: string): SignatureV4 {
  const key = `${credential.accessKeyId}\0${credential.secretAccessKey}\0${region}\0${service}`;
  let signer = signers.get(key);
  if (!signer) {
    if (signers.size >= MAX_CACHED_SIGNERS) signers.clear();
    signer = new SignatureV4({
      credentials: {
        accessKeyId: credential.accessKeyId,
        secretAccessKey: credential.secretAccessKey,
      },
      region,
      service,
      sha256: NodeSha256,
      // S3 signs the path as sent; every other service double-encodes it.
      uriEscapePath: service !== 's3',
      applyChecksum: false,
    });
    signers.set(key, signer);
  }
  return signer;
}

/** The hash of an empty string, the second-to-last line of every chunk's string to sign. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Signs one aws-chunked chunk (given the SHA-256 of its data, hex) as the client did, chaining from the previous signature. */
export async function chunkSignature(
  v: Verified,
  previous: string,
  chunkSha256: string,
): Promise<string> {
  const scope = `${v.auth.shortDate}/${v.auth.region}/${v.auth.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256-PAYLOAD',
    v.longDate,
    scope,
    previous,
    EMPTY_SHA256,
    chunkSha256,
  ].join('\n');
  return v.signer.sign(stringToSign, {
    signingDate: v.signingDate,
    signingRegion: v.auth.region,
    signingService: v.auth.service,
  });
}

export function hexEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function compactDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * The hash constructor @smithy/signature-v4 expects, on node:crypto (HMAC when given a secret).
 * node:crypto takes strings and any Uint8Array as they are, and a digest Buffer is a Uint8Array:
 * no conversions or copies.
 *
 * HMACs keyed by a string are memoized. smithy keys an HMAC with a string only to derive keys from
 * the secret access key, and it does so on every request: HMAC(secret, access key id) names its
 * signing-key cache entry. That result never changes for a credential, and building an HMAC
 * context costs about as much as the request's real hashing (signatures are keyed by bytes and
 * never memoized). Bounded: cleared when full.
 */
export class NodeSha256 {
  private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac> | undefined;
  /** For a string key: the key and the data, until digest(). */
  private readonly memo: { key: string; parts: Array<string | Uint8Array> } | undefined;
  constructor(secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    if (typeof secret === 'string') this.memo = { key: secret, parts: [] };
    else
      this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
    if (this.memo) this.memo.parts.push(toBytes(data));
    else this.h!.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.memo ? memoHmac(this.memo.key, this.memo.parts) : this.h!.digest();
  }
}

const hmacMemo = new Map<string, Uint8Array>();
const MAX_MEMO = 1024;

function memoHmac(key: string, parts: Array<string | Uint8Array>): Uint8Array {
  // The length-prefixed key, then the data's bytes one char each (latin1): an HMAC covers the
  // parts' concatenation, and no two (key, data) pairs share a name.
  let name = `${key.length}:${key}`;
  for (const p of parts) name += Buffer.from(p).toString('latin1');
  let mac = hmacMemo.get(name);
  if (!mac) {
    const h = createHmac('sha256', key);
    for (const p of parts) h.update(p);
    mac = h.digest();
    if (hmacMemo.size >= MAX_MEMO) hmacMemo.clear();
    hmacMemo.set(name, mac);
  }
  return mac;
}

function toBytes(v: string | Uint8Array | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof v === 'string' || v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return new Uint8Array(v);
}
