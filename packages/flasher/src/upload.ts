/**
 * Windowed image upload. Up to `window` chunks are in flight; the device answers each with the
 * offset it expects next, and that offset is the truth: a chunk it did not take (lost, damaged,
 * sent at the wrong offset, cut short by flash alignment, or forgotten in a reset) makes the
 * client rewind to what the device reports. A lost frame costs the chunks behind it in the window,
 * not the upload; the retry budget bounds how long no progress is tolerated.
 */
import { SmpGroup, SmpImageCommand, SmpOp } from '@fwsign/protocol';
import { chooseChunk, uploadBody, type UploadFields } from './chunking.js';
import { FlasherError } from './errors.js';
import {
  smpErrorName,
  smpRc,
  type InFlight,
  type SmpClient,
  type SmpResponse,
} from './smp-client.js';

export interface UploadOptions {
  /** Device receive buffer size and count (MCUmgr parameters). */
  bufSize: number;
  bufCount: number;
  /** Requests in flight; defaults to bufCount (1 = stop-and-wait). */
  window?: number;
  /** SHA-256 of the image, sent with the first chunk (Zephyr and fwsign check it; MCUboot ignores it). */
  sha?: Uint8Array;
  imageNumber?: number;
  upgrade?: boolean;
  /** Data length multiple for non-final chunks (flash write alignment; default 8). */
  align?: number;
  timeoutMs?: number;
  /** Deadline for the chunk at offset 0, which may wait on a full-slot erase (default 30 s). */
  firstChunkTimeoutMs?: number;
  /** Consecutive failures (timeouts, rewinds) without progress before giving up (default 8). */
  maxRetries?: number;
  onProgress?: (acked: number, total: number) => void;
}

export interface UploadStats {
  bytes: number;
  ms: number;
  chunks: number;
  /** Chunks sent again after a rewind. */
  resent: number;
  rewinds: number;
  timeouts: number;
}

interface Chunk {
  off: number;
  len: number;
  gen: number;
  flight: InFlight;
}

type Settled = { chunk: Chunk; rsp?: SmpResponse; err?: unknown };

export async function uploadImage(
  client: SmpClient,
  image: Uint8Array,
  opts: UploadOptions,
): Promise<UploadStats> {
  const total = image.length;
  if (total === 0) throw new FlasherError('InvalidInput', 'upload: image is empty');
  const window = Math.max(1, opts.window ?? opts.bufCount);
  const timeoutMs = opts.timeoutMs ?? client.timeoutMs;
  const maxRetries = opts.maxRetries ?? 8;
  const started = performance.now();
  const stats: UploadStats = { bytes: total, ms: 0, chunks: 0, resent: 0, rewinds: 0, timeouts: 0 };
  const inFlight = new Set<Chunk>();
  const waiters = new Map<Chunk, Promise<Settled>>();
  let next = 0;
  let acked = 0;
  let highestSent = 0;
  let gen = 0;
  let failures = 0;

  const sendChunk = (off: number): Chunk => {
    const fields: UploadFields =
      off === 0
        ? { image: opts.imageNumber ?? 0, len: total, off, sha: opts.sha, upgrade: opts.upgrade }
        : { off };
    const { length } = chooseChunk(fields, total, opts.bufSize, opts.align ?? 8);
    const data = image.subarray(off, off + length);
    const flight = client.send(
      SmpOp.WRITE,
      SmpGroup.IMAGE,
      SmpImageCommand.UPLOAD,
      uploadBody(fields, data),
      off === 0 ? (opts.firstChunkTimeoutMs ?? 30_000) : timeoutMs,
    );
    const chunk: Chunk = { off, len: length, gen, flight };
    stats.chunks++;
    if (off < highestSent) stats.resent++;
    highestSent = Math.max(highestSent, off + length);
    inFlight.add(chunk);
    waiters.set(
      chunk,
      flight.response.then(
        (rsp) => ({ chunk, rsp }),
        (err: unknown) => ({ chunk, err }),
      ),
    );
    return chunk;
  };

  const rewind = (to: number): void => {
    gen++;
    next = to;
    stats.rewinds++;
  };

  const failure = (why: string): void => {
    failures++;
    if (failures > maxRetries)
      throw new FlasherError(
        'UploadFailed',
        `upload: no progress at offset ${acked} of ${total} after ${maxRetries} retries (last: ${why})`,
      );
  };

  try {
    while (acked < total) {
      // The chunk at offset 0 restarts the upload on the device; let it land before stacking more behind it.
      while (
        inFlight.size < window &&
        next < total &&
        !(next > 0 && [...inFlight].some((c) => c.off === 0 && c.gen === gen))
      ) {
        const chunk = sendChunk(next);
        next = chunk.off + chunk.len;
      }
      if (inFlight.size === 0) {
        // Everything sent was answered yet the device is short of the end: send from where it is.
        failure(`device at ${acked} after all chunks answered`);
        rewind(acked);
        continue;
      }
      const settled = await Promise.race([...inFlight].map((c) => waiters.get(c)!));
      const { chunk } = settled;
      inFlight.delete(chunk);
      waiters.delete(chunk);
      if (settled.err !== undefined) {
        const err = settled.err;
        if (!(err instanceof FlasherError) || err.code !== 'Timeout') throw err;
        stats.timeouts++;
        if (chunk.gen === gen && acked < chunk.off + chunk.len) {
          failure(err.message);
          for (const c of inFlight) c.flight.cancel();
          inFlight.clear();
          rewind(acked);
        }
        continue;
      }
      const body = settled.rsp!.body;
      const rc = smpRc(body);
      if (rc !== 0) {
        const reason = typeof body.rsn === 'string' ? `: ${body.rsn}` : '';
        throw new FlasherError(
          'DeviceError',
          `upload: device refused the chunk at offset ${chunk.off} with ${smpErrorName(rc)} (${rc})${reason}`,
          { smpRc: rc },
        );
      }
      if (body.match === false) {
        // Zephyr and the verifier answer the last chunk with match: false when the image they
        // hashed differs from the `sha` sent with the first chunk.
        throw new FlasherError(
          'DeviceError',
          `upload: the device's SHA-256 of the ${total} bytes it received does not match the image's (match: false)`,
        );
      }
      const off = body.off;
      if (typeof off !== 'number' || !Number.isInteger(off) || off < 0 || off > total) {
        throw new FlasherError(
          'ProtocolError',
          `upload: expected "off" 0..${total} in the answer, got ${JSON.stringify(off)}`,
        );
      }
      if (off > acked) failures = 0;
      acked = off;
      opts.onProgress?.(acked, total);
      if (chunk.gen === gen && off !== chunk.off + chunk.len) {
        if (off <= chunk.off) failure(`device expects offset ${off}, chunk was at ${chunk.off}`);
        rewind(off);
      } else if (chunk.gen !== gen && inFlight.size === 0 && next !== off && off < total) {
        // The window drained on stale answers: follow the device.
        rewind(off);
      }
    }
  } finally {
    for (const c of inFlight) c.flight.cancel();
  }
  stats.ms = performance.now() - started;
  return stats;
}
