import { createHash } from 'node:crypto';

/** Hex SHA-256 of bytes, or of a string's UTF-8: how the store names payloads, tokens and policies. */
export const sha256Hex = (data: Uint8Array | string): string =>
  createHash('sha256').update(data).digest('hex');
