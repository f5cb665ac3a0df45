import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';

/**
 * Reads a request body into memory, refusing more than `limit` bytes before buffering them
 * (by Content-Length when given, by counting otherwise).
 */
export function readBody(
  req: IncomingMessage,
  opts: {
    limit: number;
    /** Longest pause between two chunks; a dribbled body is refused with RequestTimeout. */
    idleMs?: number;
    tooLarge?: (size: number, limit: number) => ApiError;
  },
): Promise<Uint8Array> {
  const { limit, tooLarge = bodyTooLarge } = opts;
  const declared = req.headers['content-length'];
  // Refused unread: the caller closes the connection rather than drain what was announced.
  if (declared !== undefined && Number(declared) > limit)
    return Promise.reject(tooLarge(Number(declared), limit));
  return new Promise((resolve, reject) => {
    const idle =
      opts.idleMs === undefined
        ? undefined
        : setTimeout(() => {
            if (failed) return;
            failed = true;
            req.pause();
            reject(
              new ApiError(
                'RequestTimeout',
                400,
                `Your socket connection to the server was not read from or written to within the timeout period: no body bytes for ${opts.idleMs} ms after ${size}.`,
              ),
            );
          }, opts.idleMs);
    const settle = (): void => clearTimeout(idle);
    // Most JSON bodies arrive in one chunk: keep it as is rather than copying it into a new buffer.
    let first: Buffer | undefined;
    let parts: Buffer[] | undefined;
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      idle?.refresh();
      size += chunk.length;
      if (size > limit) {
        failed = true;
        settle();
        req.pause();
        reject(tooLarge(size, limit));
        return;
      }
      if (first === undefined) first = chunk;
      else (parts ??= [first]).push(chunk);
    });
    req.on('end', () => {
      settle();
      if (failed) return;
      const all = parts ? Buffer.concat(parts, size) : first;
      // A plain Uint8Array view of the bytes (no copy): callers compare and hash bodies as Uint8Array.
      resolve(all ? new Uint8Array(all.buffer, all.byteOffset, all.byteLength) : new Uint8Array(0));
    });
    // A client that hangs up mid-body is its own doing, not a server fault: say so, without a stack.
    const gone = (): void => {
      settle();
      if (!failed) {
        failed = true;
        reject(new ClientHangUp(size));
      }
    };
    req.on('error', gone);
    req.on('close', () => {
      if (!req.complete) gone();
    });
  });
}

/** The client closed the connection before its request body was complete. */
export class ClientHangUp extends Error {
  override readonly name = 'ClientHangUp';
  readonly code = 'ClientHangUp';
  constructor(readonly received: number) {
    super(`the client closed the connection after ${received} bytes of the body`);
  }
}

function bodyTooLarge(size: number, limit: number): ApiError {
  return new ApiError(
    'RequestEntityTooLargeException',
    413,
    `Request body of ${size} bytes exceeds the limit of ${limit} bytes`,
  );
}

export interface AwsChunk {
  data: Uint8Array;
  signature?: string;
}

export interface AwsChunkedBody {
  chunks: AwsChunk[];
  trailers: Record<string, string>;
}

/**
 * Splits an `aws-chunked` body (`<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` ... a zero
 * chunk, optional trailer lines, a blank line) into its chunks. Signatures are checked by the caller.
 */
export function decodeAwsChunked(body: Uint8Array): AwsChunkedBody {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: AwsChunk[] = [];
  const trailers: Record<string, string> = {};
  let pos = 0;
  const line = (): string => {
    const end = buf.indexOf('\r\n', pos, 'latin1');
    if (end < 0 || end - pos > 4096)
      throw malformed(`expected a CRLF-terminated line at byte ${pos}`);
    const s = buf.toString('latin1', pos, end);
    pos = end + 2;
    return s;
  };
  for (;;) {
    const header = line();
    const m = /^([0-9a-fA-F]{1,8})(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(header);
    if (!m)
      throw malformed(
        `expected '<hex size>[;chunk-signature=<sig>]', got '${header.slice(0, 100)}'`,
      );
    const size = parseInt(m[1]!, 16);
    if (pos + size > buf.length)
      throw malformed(`chunk of ${size} bytes runs past the end of the body`);
    const data = new Uint8Array(buf.subarray(pos, pos + size));
    pos += size;
    chunks.push({ data, ...(m[2] ? { signature: m[2] } : {}) });
    if (size === 0) break;
    if (buf.toString('latin1', pos, pos + 2) !== '\r\n')
      throw malformed(`expected CRLF after chunk data at byte ${pos}`);
    pos += 2;
  }
  // A chunk-signed body ends "0;chunk-signature=..\r\n\r\n"; an unsigned-trailer one lists trailers first.
  while (pos < buf.length) {
    const l = line();
    if (l === '') break;
    const i = l.indexOf(':');
    if (i <= 0) throw malformed(`expected a 'name:value' trailer, got '${l.slice(0, 100)}'`);
    trailers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { chunks, trailers };
}

export function concatChunks(chunks: AwsChunk[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks.map((c) => c.data)));
}

function malformed(why: string): ApiError {
  return new ApiError('IncompleteBody', 400, `aws-chunked body: ${why}`);
}
