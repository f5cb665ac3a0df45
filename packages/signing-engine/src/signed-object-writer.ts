/**
 * Writes a signed object from the payload's bytes without ever holding it as one text: a
 * JSONEmbedded object's header, the payload's base64 in 64 KiB pieces, and the trailer are laid
 * into 1 MiB buffers, and each full buffer goes out as one write.
 *
 * Two sinks. A stream gets a fresh buffer per write, since a Writable may keep the chunks it was
 * given (a PassThrough hands them on). A file handle we write to ourselves reuses two buffers,
 * one filling while the other is being written: a 16 MiB image then touches 2 MiB of output
 * memory instead of 22 MB of fresh pages, whose page faults cost more than the encoding itself.
 */
import type { FileHandle } from 'node:fs/promises';
import { Base64Encoder } from './base64.js';
import { EMBEDDED_TRAILER } from './signed-object.js';

/**
 * Base64 in 48 KiB pieces: each 64 KiB string stays in V8's young generation and dies in the next
 * scavenge, where strings over 128 KiB would each be a large-object allocation of fresh pages.
 */
const ENCODE_SLICE = 3 * 16 * 1024;
const WRITE_BATCH = 1024 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * The object's text in pieces: `header`, the base64 of `chunks` in order, then the trailer. Each
 * chunk is released from the array once encoded, so a streamed image is freed as it goes out.
 */
export function* embeddedPieces(header: string, chunks: Uint8Array[]): Generator<string> {
  yield header;
  const enc = new Base64Encoder();
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    chunks[i] = EMPTY;
    yield* base64Slices(enc, chunk);
  }
  yield enc.end() + EMBEDDED_TRAILER;
}

/** The base64 of `chunk` (continuing `enc`'s carry) in pieces of at most 64 KiB. */
export function* base64Slices(enc: Base64Encoder, chunk: Uint8Array): Generator<string> {
  for (let at = 0; at < chunk.length; at += ENCODE_SLICE)
    yield enc.push(chunk.subarray(at, Math.min(at + ENCODE_SLICE, chunk.length)));
}

/** Where full batches go: `take` hands out the buffer to fill next, `emit` sends a filled one. */
interface BatchSink {
  take(): Promise<Buffer>;
  emit(filled: Buffer): Promise<void>;
  /** Resolves when everything emitted has been written. */
  settle(): Promise<void>;
}

/**
 * Text pieces are ASCII (JSON punctuation, numbers, base64), written one byte per character;
 * byte pieces (a detached object's UTF-8) are copied as they are. Each is at most WRITE_BATCH.
 */
export type Piece = string | Uint8Array;

/** Gathers the pieces into WRITE_BATCH writes. */
async function writeBatched(
  pieces: Iterable<Piece> | AsyncIterable<Piece>,
  sink: BatchSink,
): Promise<void> {
  let batch = await sink.take();
  let used = 0;
  for await (const piece of pieces) {
    if (piece.length > WRITE_BATCH)
      throw new RangeError(
        `signed object writer: a piece of ${piece.length} bytes exceeds ${WRITE_BATCH}`,
      );
    if (used + piece.length > WRITE_BATCH) {
      await sink.emit(batch.subarray(0, used));
      batch = await sink.take();
      used = 0;
    }
    if (typeof piece === 'string') used += batch.write(piece, used, 'latin1');
    else used += (batch.set(piece, used), piece.length);
  }
  if (used > 0) await sink.emit(batch.subarray(0, used));
  await sink.settle();
}

function writeRespectingBackpressure(out: NodeJS.WritableStream, data: Uint8Array): Promise<void> {
  if (data.length === 0 || out.write(data)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: { reason: unknown }): void => {
      out.removeListener('drain', onDrain);
      out.removeListener('error', onError);
      out.removeListener('close', onClose);
      if (err) reject(err.reason);
      else resolve();
    };
    const onDrain = (): void => done();
    const onError = (err: unknown): void =>
      done({ reason: err ?? new Error('output stream failed') });
    // A stream closed under us never drains; fail instead of waiting forever.
    const onClose = (): void =>
      done({
        reason: new Error(
          'signPayloadToStream: the output stream closed before the signed object was written',
        ),
      });
    out.once('drain', onDrain);
    out.once('error', onError);
    out.once('close', onClose);
  });
}

/** Writes the pieces to a stream (which it does not end), waiting for `drain` so base64 never piles up. */
export function writePiecesToStream(
  pieces: Iterable<Piece>,
  out: NodeJS.WritableStream,
): Promise<void> {
  return writeBatched(pieces, {
    take: () => Promise.resolve(Buffer.allocUnsafe(WRITE_BATCH)),
    emit: (filled) => writeRespectingBackpressure(out, filled),
    settle: () => Promise.resolve(),
  });
}

/** Writes all of `data` at `position` (a regular file may take a write in parts). */
export async function writeAllAt(file: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length;) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Writes the pieces to `file` from `position` on, through two reusable buffers: the next batch is
 * encoded while the previous one is written. Writes carry explicit positions, so the file's own
 * offset is neither used nor moved. Returns the number of bytes written.
 */
export async function writePiecesToFile(
  pieces: Iterable<Piece> | AsyncIterable<Piece>,
  file: FileHandle,
  position = 0,
): Promise<number> {
  const buffers = [Buffer.allocUnsafe(WRITE_BATCH), Buffer.allocUnsafe(WRITE_BATCH)];
  // pending[i]: the write of buffers[i]'s last batch; a buffer is refilled only once it is done.
  const pending: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  let current = 1;
  let at = position;
  await writeBatched(pieces, {
    async take() {
      current ^= 1;
      await pending[current];
      return buffers[current]!;
    },
    emit(filled) {
      const other = pending[current ^ 1]!;
      const from = at;
      // One write in flight at a time (after the other buffer's), while the caller fills the other.
      const write = other.then(() => writeAllAt(file, filled, from));
      // A failed write surfaces at the next take or at settle; keep it from counting as unhandled.
      write.catch(() => {});
      pending[current] = write;
      at += filled.length;
      return Promise.resolve();
    },
    settle: () => Promise.all(pending).then(() => {}),
  });
  return at - position;
}
