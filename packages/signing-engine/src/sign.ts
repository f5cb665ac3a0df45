/**
 * Signing: one streaming pass hashes the payload, the Signer signs the digest, and the signed
 * object is laid out byte for byte as AWS Signer writes it. JSONEmbedded puts the signature before
 * the payload, so the payload is held (as the chunks that came, never concatenated) until the
 * signature exists. The object goes out in 1 MiB batches (signed-object-writer.ts), so memory
 * stays near one image: no text of the whole base64 ever exists.
 */
import { createHash } from 'node:crypto';
import { createDigest } from './digest.js';
import { EngineError } from './errors.js';
import { payloadChunks } from './payload-source.js';
import type { EffectiveConfiguration, SignatureAlgorithm } from './signing-configuration.js';
import { embeddedPieces, writePiecesToStream, type Piece } from './signed-object-writer.js';
import {
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

export interface Digested {
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

/** Hashes the payload as it passes (and counts it), then has the Signer sign the digest. */
export class PayloadDigest {
  private readonly hash: ReturnType<typeof createDigest>;
  private readonly sha256: ReturnType<typeof createHash> | undefined;
  rawPayloadSize = 0;

  constructor(private readonly opts: SignOptions) {
    checkOptions(opts);
    this.hash = createDigest(opts.config.hashAlgorithm);
    // SHA1withRSA reports the image's SHA-256 only on request, hashed in the same pass.
    // (WebCrypto's thread-pool digest would run it in parallel, but copies the whole image:
    // measured +1x RSS for ~+30% speed, and RSS is the scarcer resource on a signing server.)
    this.sha256 =
      opts.config.hashAlgorithm === 'SHA1' && opts.reportSha256 ? createHash('sha256') : undefined;
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.sha256?.update(chunk);
    this.rawPayloadSize += chunk.length;
  }

  async sign(): Promise<Omit<Digested, 'chunks'>> {
    const digest = new Uint8Array(this.hash.digest());
    const payloadSha256 = this.sha256
      ? new Uint8Array(this.sha256.digest())
      : this.opts.config.hashAlgorithm === 'SHA1'
        ? undefined
        : digest;
    const signature = await this.opts.signer.signDigest(digest, this.opts.config.hashAlgorithm);
    return {
      rawPayloadSize: this.rawPayloadSize,
      signature,
      ...(payloadSha256 ? { payloadSha256 } : {}),
    };
  }
}

export async function digestAndSign(opts: SignOptions, keepChunks: boolean): Promise<Digested> {
  const digest = new PayloadDigest(opts);
  const chunks: Uint8Array[] = [];
  for await (const chunk of payloadChunks(opts.payload, opts.config)) {
    digest.update(chunk);
    if (keepChunks) chunks.push(chunk);
  }
  return { chunks, ...(await digest.sign()) };
}

export function result(
  opts: SignOptions,
  d: Omit<Digested, 'chunks'>,
): Omit<SignResult, 'signedObject'> {
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
  let at = 0;
  for (const piece of embeddedPieces(embeddedHeader(d.rawPayloadSize, d.signature, alg), d.chunks))
    at += out.write(piece, at, 'latin1');
  if (at !== out.length)
    throw new Error(`signPayload: internal size mismatch, wrote ${at} of ${out.length} bytes`);
  return {
    ...result(opts, d),
    signedObject: new Uint8Array(out.buffer, out.byteOffset, out.byteLength),
  };
}

/** Writes the signed object to `out` (which it does not end); waits for `drain` so base64 never piles up. */
export async function signPayloadToStream(
  opts: SignOptions & { out: NodeJS.WritableStream },
): Promise<Omit<SignResult, 'signedObject'>> {
  if (!opts.out || typeof opts.out.write !== 'function')
    throw new TypeError('signPayloadToStream: "out" expected a writable stream');
  const d = await digestAndSign(opts, opts.config?.imageFormat === 'JSONEmbedded');
  await writePiecesToStream(signedObjectPieces(opts, d), opts.out);
  return result(opts, d);
}

/** The signed object in pieces: a detached object is one small piece, an embedded one many. */
export function signedObjectPieces(opts: SignOptions, d: Digested): Iterable<Piece> {
  const alg = opts.config.signatureAlgorithm;
  return opts.config.imageFormat === 'JSONEmbedded'
    ? embeddedPieces(embeddedHeader(d.rawPayloadSize, d.signature, alg), d.chunks)
    : [serializeDetached(d.rawPayloadSize, d.signature, alg, opts.payloadLocation!)];
}
