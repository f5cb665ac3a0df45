/** A streamed put's body as the store's suites send it (object-stream.test.ts, object-bytes.test.ts). */
import { createHash } from 'node:crypto';

/**
 * The bytes in pieces, as an HTTP body arrives, a turn of the event loop apart; `between` runs
 * before each piece after the first (a client that hangs up throws there).
 */
export async function* pieces(
  bytes: Uint8Array,
  size = 64 * 1024,
  between?: (at: number) => void,
): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) {
    if (at > 0) between?.(at);
    await new Promise((r) => setImmediate(r));
    yield Buffer.from(bytes.subarray(at, at + size));
  }
}

/** The raw MD5, as Content-MD5 carries it. */
export const md5 = (b: Uint8Array): Buffer => createHash('md5').update(b).digest();
