import { createHash } from 'node:crypto';

/** S3's ETag of a single-part upload: the quoted hex MD5 of the body. */
export function etagOf(body: Uint8Array): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}
