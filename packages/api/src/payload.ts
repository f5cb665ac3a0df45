import { ApiError } from './errors.js';
import { concatChunks, decodeAwsChunked } from './body.js';
import { chunkSignature, hexEqual, sha256Hex, type Verified } from './sigv4.js';

/**
 * Checks the body against what `x-amz-content-sha256` promised and unwraps aws-chunked bodies,
 * verifying each chunk's signature in the chain that starts at the request's own signature.
 * Returns the object bytes.
 */
export async function verifiedPayload(
  v: Verified,
  headers: Record<string, string | undefined>,
  body: Uint8Array,
): Promise<Uint8Array> {
  const declared = headers['x-amz-content-sha256'];
  if (declared === undefined || !v.auth.signedHeaders.includes('x-amz-content-sha256')) {
    // The signature covered the body's own hash (computed by the verifier), so it is already bound.
    return body;
  }
  if (v.auth.service !== 's3' && !/^[0-9a-f]{64}$/.test(declared)) {
    // Only S3 lets a signature leave the body out; elsewhere the body's hash must be signed, or
    // a body changed in transit would still pass.
    throw new ApiError(
      'InvalidSignatureException',
      403,
      `x-amz-content-sha256 '${declared.slice(0, 80)}' is accepted only by S3; a ${v.auth.service} request signs the SHA-256 of its body`,
    );
  }
  if (/^[0-9a-f]{64}$/.test(declared)) {
    if (sha256Hex(body) !== declared) {
      throw new ApiError(
        'XAmzContentSHA256Mismatch',
        400,
        `The provided 'x-amz-content-sha256' header does not match what was computed (got ${declared}).`,
      );
    }
    return body;
  }
  switch (declared) {
    case 'UNSIGNED-PAYLOAD':
      return body;
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
      return checkedLength(concatChunks(decodeAwsChunked(body).chunks), headers);
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': {
      const { chunks } = decodeAwsChunked(body);
      let previous = v.auth.signature;
      for (const [i, chunk] of chunks.entries()) {
        if (!chunk.signature)
          throw new ApiError(
            'IncompleteBody',
            400,
            `aws-chunked body: chunk ${i} has no chunk-signature`,
          );
        const expected = await chunkSignature(v, previous, chunk.data);
        if (!hexEqual(expected, chunk.signature)) {
          throw new ApiError(
            'SignatureDoesNotMatch',
            403,
            `The signature of chunk ${i} of the aws-chunked body does not match the signature we calculated.`,
          );
        }
        previous = chunk.signature;
      }
      return checkedLength(concatChunks(chunks), headers);
    }
    default:
      throw new ApiError(
        'InvalidArgument',
        400,
        `x-amz-content-sha256 expected a SHA-256 hex digest, UNSIGNED-PAYLOAD or a STREAMING-* value, got '${declared.slice(0, 80)}'`,
      );
  }
}

function checkedLength(data: Uint8Array, headers: Record<string, string | undefined>): Uint8Array {
  const decoded = headers['x-amz-decoded-content-length'];
  if (decoded !== undefined && Number(decoded) !== data.length) {
    throw new ApiError(
      'IncompleteBody',
      400,
      `x-amz-decoded-content-length says ${decoded} bytes, the chunks hold ${data.length}`,
    );
  }
  return data;
}
