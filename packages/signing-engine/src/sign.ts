/**
 * Signing: one streaming pass hashes the payload, the Signer signs the digest, and the signed
 * object is laid out byte for byte as AWS Signer writes it. JSONEmbedded puts the signature before
 * the payload, so the payload is held (as the chunks that came, never concatenated) until the
 * signature exists; memory stays near one image plus its base64.
 */
import { createHash } from 'node:crypto';
import { Base64Encoder } from './base64.js';
import { createDigest } from './digest.js';
import { EngineError } from './errors.js';
import { payloadChunks } from './payload-source.js';
import type { EffectiveConfiguration, SignatureAlgorithm } from './signing-configuration.js';
import {
  EMBEDDED_TRAILER,
  embeddedHeader,
  embeddedSignedObjectSize,
  serializeDetached,
  type PayloadLocation,
} from './signed-object.js';
import type { Signer } from './signer.js';

export interface SignOptions {
  config: EffectiveConfiguration;
  signer: Signer;
  payload: Uint8Array | AsyncIterable<Uint8Array>;
  /** Required for JSONDetached. */
  payloadLocation?: PayloadLocation;
  /**
   * Also report the payload's SHA-256 when the platform hashes with SHA-1 (CC3220SF): a second
   * hash over every byte, which halves signing throughput, so only callers that show or record
   * it ask. SHA-256 platforms always report it: it is the digest they sign.
   */
  reportSha256?: boolean;
}

export interface SignResult {
  /** The bytes AWS Signer writes to the destination bucket. */
  signedObject: Uint8Array;
  signature: Uint8Array;
  rawPayloadSize: number;
  /** Present for SHA-256 platforms, and for SHA-1 ones when `reportSha256` was asked. */
  payloadSha256?: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  format: 'JSONEmbedded' | 'JSONDetached';
}

interface Digested {
  chunks: Uint8Array[];
  rawPayloadSize: number;
  signature: Uint8Array;
  payloadSha256?: Uint8Array;
}

function checkOptions(opts: SignOptions): void {
  const { config, signer } = opts;
  if (!config || typeof config !== 'object' || !config.platform)
    throw new TypeError(
      'sign: "config" expected an EffectiveConfiguration from resolveEffectiveConfiguration',
    );
  if (!signer || typeof signer.signDigest !== 'function')
    throw new TypeError('sign: "signer" expected a Signer');
  const wanted = config.encryptionAlgorithm === 'ECDSA' ? 'ec-p256' : 'rsa';
  if (signer.keyType !== wanted) {
    throw new EngineError(
      'InvalidKey',
      `sign: platform ${config.platform.platformId} signs with ${config.signatureAlgorithm} and needs a ${wanted} key, got a ${signer.keyType} key`,
    );
  }
  if (config.imageFormat === 'JSONDetached') {
    const loc = opts.payloadLocation;
    if (
      !loc ||
      typeof loc.bucketName !== 'string' ||
      typeof loc.key !== 'string' ||
      typeof loc.version !== 'string'
    ) {
      throw new EngineError(
        'ValidationException',
        'sign: JSONDetached expected payloadLocation { bucketName, key, version } (strings), got none or incomplete',
      );
    }
  }
}

async function digestAndSign(opts: SignOptions, keepChunks: boolean): Promise<Digested> {
  checkOptions(opts);
  const { config } = opts;
  const hash = createDigest(config.hashAlgorithm);
  // SHA1withRSA reports the image's SHA-256 only on request, hashed in the same pass.
  // (WebCrypto's thread-pool digest would run it in parallel, but copies the whole image:
  // measured +1x RSS for ~+30% speed, and RSS is the scarcer resource on a signing server.)
  const sha1 = config.hashAlgorithm === 'SHA1';
  const inlineSha256 = sha1 && opts.reportSha256 ? createHash('sha256') : undefined;
  const chunks: Uint8Array[] = [];
  let rawPayloadSize = 0;
  for await (const chunk of payloadChunks(opts.payload, config)) {
    hash.update(chunk);
    inlineSha256?.update(chunk);
    rawPayloadSize += chunk.length;
    if (keepChunks) chunks.push(chunk);
  }
  const digest = new Uint8Array(hash.digest());
  const payloadSha256 = inlineSha256
    ? new Uint8Array(inlineSha256.digest())
    : sha1
      ? undefined
      : digest;
  const signature = await opts.signer.signDigest(digest, config.hashAlgorithm);
  return { chunks, rawPayloadSize, signature, ...(payloadSha256 ? { payloadSha256 } : {}) };
}

/**
 * Base64 in 48 KiB pieces: each 64 KiB string stays in V8's young generation and dies in the next
 * scavenge, where megabyte strings would sit in large-object space until a full GC (an extra
 * image-and-a-third of RSS at 16 MiB).
 */
const ENCODE_SLICE = 3 * 16 * 1024;
const WRITE_BATCH = 1024 * 1024;
const EMPTY = new Uint8Array(0);

function* base64Pieces(enc: Base64Encoder, chunk: Uint8Array): Generator<string> {
  for (let at = 0; at < chunk.length; at += ENCODE_SLICE)
    yield enc.push(chunk.subarray(at, Math.min(at + ENCODE_SLICE, chunk.length)));
}

function result(opts: SignOptions, d: Digested): Omit<SignResult, 'signedObject'> {
  return {
    signature: d.signature,
    rawPayloadSize: d.rawPayloadSize,
    ...(d.payloadSha256 ? { payloadSha256: d.payloadSha256 } : {}),
    signatureAlgorithm: opts.config.signatureAlgorithm,
    format: opts.config.imageFormat,
  };
}

export async function signPayload(opts: SignOptions): Promise<SignResult> {
  const embedded = opts.config?.imageFormat === 'JSONEmbedded';
  const d = await digestAndSign(opts, embedded);
  const alg = opts.config.signatureAlgorithm;
  if (!embedded)
    return {
      ...result(opts, d),
      signedObject: serializeDetached(d.rawPayloadSize, d.signature, alg, opts.payloadLocation!),
    };
  const out = Buffer.allocUnsafe(
    embeddedSignedObjectSize(d.rawPayloadSize, d.signature.length, alg),
  );
  let at = out.write(embeddedHeader(d.rawPayloadSize, d.signature, alg), 0, 'latin1');
  const enc = new Base64Encoder();
  for (const chunk of d.chunks)
    for (const piece of base64Pieces(enc, chunk)) at += out.write(piece, at, 'latin1');
  at += out.write(enc.end(), at, 'latin1');
  at += out.write(EMBEDDED_TRAILER, at, 'latin1');
  if (at !== out.length)
    throw new Error(`signPayload: internal size mismatch, wrote ${at} of ${out.length} bytes`);
  return {
    ...result(opts, d),
    signedObject: new Uint8Array(out.buffer, out.byteOffset, out.byteLength),
  };
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

/** Writes the signed object to `out` (which it does not end); waits for `drain` so base64 never piles up. */
export async function signPayloadToStream(
  opts: SignOptions & { out: NodeJS.WritableStream },
): Promise<Omit<SignResult, 'signedObject'>> {
  if (!opts.out || typeof opts.out.write !== 'function')
    throw new TypeError('signPayloadToStream: "out" expected a writable stream');
  const embedded = opts.config?.imageFormat === 'JSONEmbedded';
  const d = await digestAndSign(opts, embedded);
  const alg = opts.config.signatureAlgorithm;
  if (!embedded) {
    await writeRespectingBackpressure(
      opts.out,
      serializeDetached(d.rawPayloadSize, d.signature, alg, opts.payloadLocation!),
    );
    return result(opts, d);
  }
  // Pieces are gathered into 1 MiB writes: a file stream round-trips through the thread pool per
  // write, so 64 KiB writes would spend more time waiting on `drain` than encoding.
  let batch = Buffer.allocUnsafe(WRITE_BATCH);
  let used = batch.write(embeddedHeader(d.rawPayloadSize, d.signature, alg), 0, 'latin1');
  const flush = async (): Promise<void> => {
    const full = batch.subarray(0, used);
    batch = Buffer.allocUnsafe(WRITE_BATCH); // the stream keeps `full` until written
    used = 0;
    await writeRespectingBackpressure(opts.out, full);
  };
  const enc = new Base64Encoder();
  for (let i = 0; i < d.chunks.length; i++) {
    const chunk = d.chunks[i]!;
    d.chunks[i] = EMPTY; // release each chunk once encoded, so a streamed image is freed as it goes
    for (const piece of base64Pieces(enc, chunk)) {
      if (used + piece.length > WRITE_BATCH) await flush();
      used += batch.write(piece, used, 'latin1');
    }
  }
  const tail = enc.end() + EMBEDDED_TRAILER;
  if (used + tail.length > WRITE_BATCH) await flush();
  used += batch.write(tail, used, 'latin1');
  await flush();
  return result(opts, d);
}
