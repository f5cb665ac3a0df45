import { createHash } from 'node:crypto';
import { ApiError } from './errors.js';
import { AwsChunkedDecoder, type ChunkedEvent } from './aws-chunked.js';
import { chunkSignature, hexEqual, type Verified } from './sigv4.js';

type Bytes = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * A body's bytes as they arrive, checked against what `x-amz-content-sha256` promised, with
 * aws-chunked bodies unwrapped and each chunk's signature verified in the chain that starts at
 * the request's own signature. What only the whole body can show (its SHA-256, its decoded
 * length) is checked after the last byte, before the iteration ends: a consumer that keeps the
 * bytes only once the iteration has ended never keeps a body that fails a check.
 */
export async function* verifiedPayloadStream(
  v: Verified,
  headers: Record<string, string | undefined>,
  body: Bytes,
): AsyncGenerator<Uint8Array> {
  const declared = headers['x-amz-content-sha256'];
  if (declared === undefined || !v.auth.signedHeaders.includes('x-amz-content-sha256')) {
    // The signature covered the body's own hash (computed by the verifier), so it is already bound.
    yield* body;
    return;
  }
  const hex = /^[0-9a-f]{64}$/.test(declared);
  if (v.auth.service !== 's3' && !hex) {
    // Only S3 lets a signature leave the body out; elsewhere the body's hash must be signed, or
    // a body changed in transit would still pass.
    throw new ApiError(
      'InvalidSignatureException',
      403,
      `x-amz-content-sha256 '${declared.slice(0, 80)}' is accepted only by S3; a ${v.auth.service} request signs the SHA-256 of its body`,
    );
  }
  if (hex) {
    yield* withSha256(body, (computed) => {
      if (computed !== declared)
        throw new ApiError(
          'XAmzContentSHA256Mismatch',
          400,
          `The provided 'x-amz-content-sha256' header does not match what was computed: got ${declared}, the body's is ${computed}.`,
        );
    });
    return;
  }
  switch (declared) {
    case 'UNSIGNED-PAYLOAD':
      yield* body;
      return;
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
      yield* unchunked(body, headers, undefined);
      return;
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER':
      yield* unchunked(body, headers, v);
      return;
    default:
      throw new ApiError(
        'InvalidArgument',
        400,
        `x-amz-content-sha256 expected a SHA-256 hex digest, UNSIGNED-PAYLOAD or a STREAMING-* value, got '${declared.slice(0, 80)}'`,
      );
  }
}

/** verifiedPayloadStream over a body already in memory: the object bytes (the body itself unless aws-chunked). */
export async function verifiedPayload(
  v: Verified,
  headers: Record<string, string | undefined>,
  body: Uint8Array,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of verifiedPayloadStream(v, headers, [body])) parts.push(p);
  return parts.length === 1 ? parts[0]! : new Uint8Array(Buffer.concat(parts));
}

/** Passes the bytes through, then hands their SHA-256 (hex) to `check`, which throws to refuse them. */
export async function* withSha256(
  body: Bytes,
  check: (sha256: string) => void | Promise<void>,
): AsyncGenerator<Uint8Array> {
  const h = createHash('sha256');
  for await (const bytes of body) {
    h.update(bytes);
    yield bytes;
  }
  await check(h.digest('hex'));
}

/** The data of an aws-chunked body; with `v`, every chunk must carry the signature that chains from the previous one. */
async function* unchunked(
  body: Bytes,
  headers: Record<string, string | undefined>,
  v: Verified | undefined,
): AsyncGenerator<Uint8Array> {
  const decoder = new AwsChunkedDecoder(v !== undefined);
  let previous = v?.auth.signature ?? '';
  let size = 0;
  async function* take(events: ChunkedEvent[]): AsyncGenerator<Uint8Array> {
    for (const e of events) {
      if (e.type === 'data') {
        size += e.bytes.length;
        yield e.bytes;
      } else if (e.type === 'chunk' && v) {
        if (!e.signature)
          throw new ApiError(
            'IncompleteBody',
            400,
            `aws-chunked body: chunk ${e.index} has no chunk-signature`,
          );
        if (!hexEqual(await chunkSignature(v, previous, e.sha256!), e.signature))
          throw new ApiError(
            'SignatureDoesNotMatch',
            403,
            `The signature of chunk ${e.index} of the aws-chunked body does not match the signature we calculated.`,
          );
        previous = e.signature;
      }
    }
  }
  for await (const bytes of body) yield* take(decoder.push(bytes));
  yield* take(decoder.end());
  const decoded = headers['x-amz-decoded-content-length'];
  if (decoded !== undefined && Number(decoded) !== size) {
    throw new ApiError(
      'IncompleteBody',
      400,
      `x-amz-decoded-content-length says ${decoded} bytes, the chunks hold ${size}`,
    );
  }
}
