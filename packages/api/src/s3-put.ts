import type { Identity } from './credentials.js';
import { ApiError } from './errors.js';
import { verifiedPayloadStream, withSha256 } from './payload.js';
import { listable, splitPath, type S3Buckets, type S3Response } from './s3.js';
import type { Verified } from './sigv4.js';

/** The operations whose body is streamed to the store as it arrives (putObject), never held in memory. */
export const STREAMED_OPERATIONS: ReadonlySet<string> = new Set(['PutObject']);

/** What a PutObject's headers say of its body, checked before a byte of it is read. */
export interface PutObjectHeaders {
  /** The object's size when announced (x-amz-decoded-content-length for aws-chunked, else Content-Length). */
  size?: number;
  contentMd5?: Uint8Array;
}

/** Refuses a PutObject from its headers alone: an announced object over `maxBytes`, a malformed Content-MD5. */
export function putObjectHeaders(
  headers: Record<string, string | undefined>,
  maxBytes: number,
): PutObjectHeaders {
  const announced = headers['x-amz-decoded-content-length'] ?? headers['content-length'];
  const size = announced === undefined ? undefined : Number(announced);
  if (size !== undefined && size > maxBytes)
    throw new ApiError(
      'EntityTooLarge',
      400,
      `Your proposed upload of ${announced} bytes exceeds the maximum allowed object size of ${maxBytes} bytes.`,
    );
  const md5 = headers['content-md5'];
  const contentMd5 = md5 === undefined ? undefined : Buffer.from(md5, 'base64');
  if (md5 !== undefined && (contentMd5!.length !== 16 || contentMd5!.toString('base64') !== md5))
    throw new ApiError(
      'InvalidDigest',
      400,
      `The Content-MD5 you specified is not valid: expected the base64 of 16 bytes, got '${md5.slice(0, 64)}'.`,
    );
  return {
    ...(size !== undefined && Number.isSafeInteger(size) ? { size } : {}),
    ...(contentMd5 ? { contentMd5 } : {}),
  };
}

/** A PutObject as the server hands it over, its body not yet read. */
export interface PutObjectRequest {
  rawPath: string;
  headers: Record<string, string | undefined>;
  /** What putObjectHeaders found in the headers. */
  announced: PutObjectHeaders;
  maxBytes: number;
  /** The body as it arrives (bodyChunks). */
  body: AsyncIterable<Uint8Array>;
  /** The request's signature, checked from its headers (it covers a signed x-amz-content-sha256). */
  verified?: Verified;
  /** Otherwise: checks the signature, which covers the body's own SHA-256 (hex), once all of it came. */
  verifyBodyHash: (sha256: string) => Promise<void>;
}

/**
 * PutObject: the body goes to the store as it arrives, checked on the way (the declared SHA-256,
 * or each aws-chunked chunk's signature, or the signature over the body's hash after its last
 * byte); the store keeps it only if all of it came and every check passed (those, the size,
 * Content-MD5), so an upload holds at most the store's write batch in memory.
 */
export async function putObject(
  buckets: S3Buckets,
  id: Identity,
  p: PutObjectRequest,
): Promise<S3Response> {
  const { bucket, key } = splitPath(p.rawPath);
  listable(key!, false);
  const body = p.verified
    ? verifiedPayloadStream(p.verified, p.headers, p.body)
    : withSha256(p.body, p.verifyBodyHash);
  const r = await buckets.putObjectStream(id.accountId, bucket!, key!, body, {
    maxBytes: p.maxBytes,
    ...(p.announced.contentMd5 ? { contentMd5: p.announced.contentMd5 } : {}),
  });
  return { status: 200, headers: { etag: r.etag, 'x-amz-version-id': r.versionId }, body: '' };
}
