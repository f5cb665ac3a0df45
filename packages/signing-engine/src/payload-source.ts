/** Iterates a payload (bytes or an async stream of chunks) and enforces the platform's size limit. */
import { EngineError, expectBytes } from './errors.js';
import type { EffectiveConfiguration } from './signing-configuration.js';

/** Slices of a buffer payload; a multiple of 3 so each slice base64-encodes without a carry. */
const SLICE = 3 * 256 * 1024;

function tooLarge(config: EffectiveConfiguration, seen: number): EngineError {
  return new EngineError(
    'PayloadTooLarge',
    `payload: expected at most ${config.maxSizeBytes} bytes (${config.platform.maxSizeInMB} MiB, the limit of platform ${config.platform.platformId}), got more (${seen} bytes before stopping)`,
  );
}

/**
 * Yields the payload's chunks. A stream is abandoned at the chunk that crosses the limit: the
 * for-await `throw` calls the source iterator's return(), so a file stream closes unread.
 */
export async function* payloadChunks(
  payload: Uint8Array | AsyncIterable<Uint8Array>,
  config: EffectiveConfiguration,
): AsyncGenerator<Uint8Array> {
  if (payload instanceof Uint8Array) {
    if (payload.length > config.maxSizeBytes) throw tooLarge(config, payload.length);
    for (let at = 0; at < payload.length; at += SLICE)
      yield payload.subarray(at, Math.min(at + SLICE, payload.length));
    return;
  }
  if (payload === null || typeof payload !== 'object' || !(Symbol.asyncIterator in payload)) {
    throw new TypeError(
      `sign: "payload" expected Uint8Array or AsyncIterable<Uint8Array>, got ${payload === null ? 'null' : typeof payload}`,
    );
  }
  let total = 0;
  for await (const chunk of payload) {
    const bytes = expectBytes('sign', 'payload stream chunk', chunk);
    total += bytes.length;
    if (total > config.maxSizeBytes) throw tooLarge(config, total);
    yield bytes;
  }
}
