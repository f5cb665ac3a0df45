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
import type { CborMap } from './cbor.js';
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
  if (image.length === 0) throw new FlasherError('InvalidInput', 'upload: image is empty');
  return new WindowedUpload(client, image, opts).run();
}

/** One upload's state: the window of chunks in flight, the device's offset, the retry budget. */
class WindowedUpload {
  private readonly total: number;
  private readonly window: number;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly started = performance.now();
  private readonly stats: UploadStats;
  private readonly inFlight = new Set<Chunk>();
  private readonly waiters = new Map<Chunk, Promise<Settled>>();
  private next = 0;
  private acked = 0;
  private highestSent = 0;
  private gen = 0;
  private failures = 0;

  constructor(
    private readonly client: SmpClient,
    private readonly image: Uint8Array,
    private readonly opts: UploadOptions,
  ) {
    this.total = image.length;
    this.window = Math.max(1, opts.window ?? opts.bufCount);
    this.timeoutMs = opts.timeoutMs ?? client.timeoutMs;
    this.maxRetries = opts.maxRetries ?? 8;
    this.stats = { bytes: this.total, ms: 0, chunks: 0, resent: 0, rewinds: 0, timeouts: 0 };
  }

  async run(): Promise<UploadStats> {
    try {
      while (this.acked < this.total) {
        this.fill();
        if (this.inFlight.size === 0) {
          // Everything sent was answered yet the device is short of the end: send from where it is.
          this.failure(`device at ${this.acked} after all chunks answered`);
          this.rewind(this.acked);
          continue;
        }
        const settled = await Promise.race([...this.inFlight].map((c) => this.waiters.get(c)!));
        this.inFlight.delete(settled.chunk);
        this.waiters.delete(settled.chunk);
        if (settled.err !== undefined) this.onError(settled.chunk, settled.err);
        else this.onAnswer(settled.chunk, settled.rsp!.body);
      }
    } finally {
      for (const c of this.inFlight) c.flight.cancel();
    }
    this.stats.ms = performance.now() - this.started;
    return this.stats;
  }

  /** Sends chunks until the window is full; the chunk at offset 0 restarts the upload on the device, so nothing is stacked behind it. */
  private fill(): void {
    while (
      this.inFlight.size < this.window &&
      this.next < this.total &&
      !(this.next > 0 && [...this.inFlight].some((c) => c.off === 0 && c.gen === this.gen))
    ) {
      const chunk = this.send(this.next);
      this.next = chunk.off + chunk.len;
    }
  }

  private send(off: number): Chunk {
    const o = this.opts;
    const fields: UploadFields =
      off === 0
        ? { image: o.imageNumber ?? 0, len: this.total, off, sha: o.sha, upgrade: o.upgrade }
        : { off };
    const { length } = chooseChunk(fields, this.total, o.bufSize, o.align ?? 8);
    const data = this.image.subarray(off, off + length);
    const flight = this.client.send(
      SmpOp.WRITE,
      SmpGroup.IMAGE,
      SmpImageCommand.UPLOAD,
      uploadBody(fields, data),
      off === 0 ? (o.firstChunkTimeoutMs ?? 30_000) : this.timeoutMs,
    );
    const chunk: Chunk = { off, len: length, gen: this.gen, flight };
    this.stats.chunks++;
    if (off < this.highestSent) this.stats.resent++;
    this.highestSent = Math.max(this.highestSent, off + length);
    this.inFlight.add(chunk);
    this.waiters.set(
      chunk,
      flight.response.then(
        (rsp) => ({ chunk, rsp }),
        (err: unknown) => ({ chunk, err }),
      ),
    );
    return chunk;
  }

  private rewind(to: number): void {
    this.gen++;
    this.next = to;
    this.stats.rewinds++;
  }

  private failure(why: string): void {
    this.failures++;
    if (this.failures > this.maxRetries)
      throw new FlasherError(
        'UploadFailed',
        `upload: no progress at offset ${this.acked} of ${this.total} after ${this.maxRetries} retries (last: ${why})`,
      );
  }

  /** A timeout of a chunk the device still needs: cancel the window and resend from its offset. */
  private onError(chunk: Chunk, err: unknown): void {
    if (!(err instanceof FlasherError) || err.code !== 'Timeout') throw err;
    this.stats.timeouts++;
    if (chunk.gen === this.gen && this.acked < chunk.off + chunk.len) {
      this.failure(err.message);
      for (const c of this.inFlight) c.flight.cancel();
      this.inFlight.clear();
      this.rewind(this.acked);
    }
  }

  /** The device's answer: its offset is the truth the upload follows. */
  private onAnswer(chunk: Chunk, body: CborMap): void {
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
        `upload: the device's SHA-256 of the ${this.total} bytes it received does not match the image's (match: false)`,
      );
    }
    const off = body.off;
    if (typeof off !== 'number' || !Number.isInteger(off) || off < 0 || off > this.total) {
      throw new FlasherError(
        'ProtocolError',
        `upload: expected "off" 0..${this.total} in the answer, got ${JSON.stringify(off)}`,
      );
    }
    if (off > this.acked) this.failures = 0;
    this.acked = off;
    this.opts.onProgress?.(this.acked, this.total);
    if (chunk.gen === this.gen && off !== chunk.off + chunk.len) {
      if (off <= chunk.off) this.failure(`device expects offset ${off}, chunk was at ${chunk.off}`);
      this.rewind(off);
    } else if (
      chunk.gen !== this.gen &&
      this.inFlight.size === 0 &&
      this.next !== off &&
      off < this.total
    ) {
      // The window drained on stale answers: follow the device.
      this.rewind(off);
    }
  }
}
