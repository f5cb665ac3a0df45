import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';

/**
 * Reads a request body into memory, refusing more than `limit` bytes before buffering them
 * (by Content-Length when given, by counting otherwise).
 */
export async function readBody(
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
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(Number(declared), limit);
  // Most JSON bodies arrive in one chunk: keep it as is rather than copying it into a new buffer.
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(req, opts)) {
    size += chunk.length;
    if (size > limit) throw tooLarge(size, limit);
    parts.push(chunk);
  }
  const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
  // A plain Uint8Array view of the bytes (no copy): callers compare and hash bodies as Uint8Array.
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/**
 * A request body as it arrives, one piece at a time, read only as fast as the consumer takes it
 * (so a slow disk holds the client back instead of filling memory). A client that hangs up ends it
 * with ClientHangUp; a pause longer than `idleMs` while waiting for bytes, with RequestTimeout.
 * Stopping early leaves the rest unread and the request open: the caller answers and closes.
 */
export async function* bodyChunks(
  req: IncomingMessage,
  opts: { idleMs?: number } = {},
): AsyncGenerator<Uint8Array> {
  let received = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // A client that hangs up mid-body is its own doing, not a server fault: say so, without a stack.
  const gone = (): void => {
    if (!req.complete) failure ??= new ClientHangUp(received);
    poke();
  };
  req.on('readable', poke);
  req.on('end', poke);
  req.on('error', gone);
  req.on('close', gone);
  try {
    for (;;) {
      if (failure) throw failure;
      const chunk = req.read() as Buffer | null;
      if (chunk !== null) {
        received += chunk.length;
        yield chunk;
        continue;
      }
      if (req.readableEnded) return;
      if (req.destroyed) throw failure ?? new ClientHangUp(received);
      let idle: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (opts.idleMs !== undefined)
          idle = setTimeout(() => {
            failure ??= new ApiError(
              'RequestTimeout',
              400,
              `Your socket connection to the server was not read from or written to within the timeout period: no body bytes for ${opts.idleMs} ms after ${received}.`,
            );
            poke();
          }, opts.idleMs);
      });
      clearTimeout(idle);
    }
  } finally {
    req.off('readable', poke);
    req.off('end', poke);
    req.off('error', gone);
    req.off('close', gone);
    // Nothing reads on: keep what still arrives from piling up in memory.
    if (!req.readableEnded) req.pause();
  }
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
