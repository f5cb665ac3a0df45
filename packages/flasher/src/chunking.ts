/**
 * Chunk sizes for image upload. A request must fit the device's receive buffer after decoding
 * (length prefix + SMP header + CBOR + CRC, as Zephyr's net_buf holds it), and on the wire it
 * costs whole base64 lines; so the chunk is the largest that fits, trimmed where trimming saves a
 * mostly empty last line, and kept to the flash write alignment so MCUboot takes all of it.
 */
import { SMP_HEADER_SIZE } from '@fwsign/protocol';
import { cborBstrHeaderSize, encodeCbor, type CborMap } from './cbor.js';
import {
  consoleFrameWireSize,
  FRAME_OVERHEAD_BYTES,
  LINE_PAYLOAD_BYTES,
} from './console-framing.js';
import { FlasherError } from './errors.js';

/**
 * Decoded bytes a request may take in a `bufSize` buffer: one less than the buffer, because
 * MCUboot's non-Zephyr base64 path refuses a frame that fills its buffer exactly.
 */
export function frameBudget(bufSize: number): number {
  return bufSize - 1;
}

export interface UploadFields {
  off: number;
  /** First chunk only: image number, total length, SHA-256, upgrade flag. */
  image?: number;
  len?: number;
  sha?: Uint8Array;
  upgrade?: boolean;
}

export function uploadBody(fields: UploadFields, data: Uint8Array): CborMap {
  const body: CborMap = {};
  if (fields.image !== undefined) body.image = fields.image;
  if (fields.len !== undefined) body.len = fields.len;
  body.off = fields.off;
  if (fields.sha !== undefined) body.sha = fields.sha;
  if (fields.upgrade !== undefined) body.upgrade = fields.upgrade;
  body.data = data;
  return body;
}

/** SMP packet size (header + CBOR) of an upload request carrying `n` data bytes. */
export function uploadPacketSize(fields: UploadFields, n: number): number {
  const fixed = encodeCbor(uploadBody(fields, new Uint8Array(0))).length - 1;
  return SMP_HEADER_SIZE + fixed + cborBstrHeaderSize(n) + n;
}

export interface ChunkChoice {
  length: number;
  packetSize: number;
  wireBytes: number;
}

/** The data length for the chunk at `fields.off` of an image of `total` bytes. */
export function chooseChunk(
  fields: UploadFields,
  total: number,
  bufSize: number,
  align = 8,
): ChunkChoice {
  const budget = frameBudget(bufSize) - FRAME_OVERHEAD_BYTES;
  const fixed = encodeCbor(uploadBody(fields, new Uint8Array(0))).length - 1;
  const size = (n: number): number => SMP_HEADER_SIZE + fixed + cborBstrHeaderSize(n) + n;
  let max = budget - SMP_HEADER_SIZE - fixed - 1;
  while (max > 0 && size(max) > budget) max--;
  if (max < 1) {
    throw new FlasherError(
      'ProtocolError',
      `upload: the device's buffer of ${bufSize} bytes cannot hold an upload request (needs at least ${size(1) + FRAME_OVERHEAD_BYTES + 1})`,
    );
  }
  const remaining = total - fields.off;
  if (remaining <= max)
    return {
      length: remaining,
      packetSize: size(remaining),
      wireBytes: consoleFrameWireSize(size(remaining)),
    };
  let best: ChunkChoice | undefined;
  const a = Math.max(1, align);
  for (let n = max - (max % a); n > 0 && n >= max - LINE_PAYLOAD_BYTES; n -= a) {
    const wire = consoleFrameWireSize(size(n));
    if (!best || n / wire > best.length / best.wireBytes)
      best = { length: n, packetSize: size(n), wireBytes: wire };
  }
  if (!best) {
    const n = Math.max(1, max - (max % a));
    best = { length: n, packetSize: size(n), wireBytes: consoleFrameWireSize(size(n)) };
  }
  return best;
}
