/**
 * Signing straight into a file in one pass over the payload: each chunk is hashed and its base64
 * written as it arrives, after room left for the header; once the signature exists the header is
 * written in front. Nothing of the image is held (memory is two 1 MiB buffers), and the input is
 * read once, so the bytes signed are the bytes written.
 *
 * The header's length depends on the payload size and signature length. The room left assumes
 * the caller's `payloadSize` (a file's size) and the signer's longest signature; when the header
 * comes out shorter (a 69-byte ECDSA signature, about 1 in 100) or longer (the file grew), the
 * body is moved to sit right after it: one copy of the object, never a different object.
 */
import type { FileHandle } from 'node:fs/promises';
import { Base64Encoder, base64Length } from './base64.js';
import { payloadChunks } from './payload-source.js';
import type { SignatureAlgorithm } from './signing-configuration.js';
import {
  digestAndSign,
  PayloadDigest,
  result,
  signedObjectPieces,
  type SignOptions,
  type SignResult,
} from './sign.js';
import { EMBEDDED_TRAILER, embeddedHeader, embeddedSignedObjectSize } from './signed-object.js';
import { base64Slices, writeAllAt, writePiecesToFile, type Piece } from './signed-object-writer.js';

export interface SignToFileOptions extends Omit<SignOptions, 'payload'> {
  /**
   * The payload, or the file holding it (read from offset 0 to its end, once, through one reused
   * buffer; the caller opens and closes it).
   */
  payload: SignOptions['payload'] | FileHandle;
  /**
   * Written from offset 0, opened for reading too ('w+' or 'wx+': a body that must move is read
   * back); the caller opens, closes and (for an atomic replace) renames it.
   */
  file: FileHandle;
  /** The payload's size when the caller knows it and it is a stream: the header's room is exact. */
  payloadSize?: number;
}

const READ = 1024 * 1024;

const isFileHandle = (p: SignToFileOptions['payload']): p is FileHandle =>
  typeof (p as FileHandle).read === 'function' && typeof (p as FileHandle).fd === 'number';

/**
 * A file's bytes in 1 MiB reads, the next read already in flight while the consumer works on the
 * current chunk (reads run on libuv's thread pool: without it the main thread waits for each one).
 * With `reuse`, chunks alternate between two buffers, each valid until the next chunk is asked
 * for: no fresh pages per read, for a consumer done with each chunk before the next.
 */
async function* fileChunks(file: FileHandle, reuse: boolean): AsyncGenerator<Uint8Array> {
  const buffers = reuse ? [Buffer.allocUnsafe(READ), Buffer.allocUnsafe(READ)] : undefined;
  let turn = 0;
  const readAt = (position: number) =>
    file.read(buffers ? buffers[(turn ^= 1)]! : Buffer.allocUnsafe(READ), 0, READ, position);
  let pending = readAt(0);
  try {
    for (let position = 0; ;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) return;
      position += bytesRead;
      pending = readAt(position);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    // A consumer that stops early (the size limit) leaves a read in flight: let it finish before
    // the caller closes the file, and keep its failure from being unhandled.
    await pending.catch(() => {});
  }
}

/**
 * Writes the signed object into `file` and resolves to the result and the object's length. A
 * signer that does not say how long its signatures are (no `maxSignatureLength`), or a detached
 * object, is written after signing, from the held payload, through the same batches.
 */
export async function signPayloadToFile(
  opts: SignToFileOptions,
): Promise<Omit<SignResult, 'signedObject'> & { signedObjectSize: number }> {
  if (!opts.file || typeof opts.file.write !== 'function')
    throw new TypeError('signPayloadToFile: "file" expected a FileHandle from fs/promises open()');
  const maxSignature = opts.signer?.maxSignatureLength;
  const onePass = opts.config?.imageFormat === 'JSONEmbedded' && maxSignature !== undefined;
  const input = opts.payload;
  const payload = isFileHandle(input) ? fileChunks(input, onePass) : input;
  const sign: SignOptions = { ...opts, payload };
  if (!onePass) {
    const d = await digestAndSign(sign, opts.config?.imageFormat === 'JSONEmbedded');
    const signedObjectSize = await writePiecesToFile(signedObjectPieces(sign, d), opts.file);
    return { ...result(sign, d), signedObjectSize };
  }
  const digest = new PayloadDigest(sign);
  const alg = opts.config.signatureAlgorithm;
  const sizeGuess = isFileHandle(input)
    ? (await input.stat()).size
    : input instanceof Uint8Array
      ? input.length
      : (opts.payloadSize ?? opts.config.maxSizeBytes);
  const room = headerLength(sizeGuess, maxSignature, alg);
  const bodySize = await writePiecesToFile(body(sign, digest), opts.file, room);
  const d = await digest.sign();
  const header = Buffer.from(embeddedHeader(d.rawPayloadSize, d.signature, alg), 'latin1');
  if (header.length !== room) {
    await moveWithin(opts.file, room, header.length, bodySize);
    await opts.file.truncate(header.length + bodySize);
  }
  await writeAllAt(opts.file, header, 0);
  return { ...result(sign, d), signedObjectSize: header.length + bodySize };
}

/** `{"rawPayloadSize":N,…,"payload":"` for an N-byte payload and a signature of that length. */
function headerLength(
  payloadSize: number,
  signatureLength: number,
  alg: SignatureAlgorithm,
): number {
  return (
    embeddedSignedObjectSize(payloadSize, signatureLength, alg) -
    base64Length(payloadSize) -
    EMBEDDED_TRAILER.length
  );
}

/** The payload's base64 and the trailer, hashing each chunk on the way. */
async function* body(opts: SignOptions, digest: PayloadDigest): AsyncGenerator<Piece> {
  const enc = new Base64Encoder();
  for await (const chunk of payloadChunks(opts.payload, opts.config)) {
    digest.update(chunk);
    yield* base64Slices(enc, chunk);
  }
  yield enc.end() + EMBEDDED_TRAILER;
}

/** Moves `length` bytes at `from` to `to` within the file, in an order that never overwrites unread bytes. */
async function moveWithin(
  file: FileHandle,
  from: number,
  to: number,
  length: number,
): Promise<void> {
  const step = 1024 * 1024;
  const buf = Buffer.allocUnsafe(Math.min(step, length));
  const towardsStart = to < from;
  for (let done = 0; done < length;) {
    const n = Math.min(step, length - done);
    // Towards the start: front to back; towards the end: back to front.
    const off = towardsStart ? done : length - done - n;
    for (let got = 0; got < n;) {
      const { bytesRead } = await file.read(buf, got, n - got, from + off + got);
      if (bytesRead === 0)
        throw new Error('signPayloadToFile: the file ended while moving its body');
      got += bytesRead;
    }
    await writeAllAt(file, buf.subarray(0, n), to + off);
    done += n;
  }
}
