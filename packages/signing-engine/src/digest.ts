/**
 * Streaming payload hashes. node:crypto's OpenSSL-backed hash is used rather than noble-hashes:
 * over a 16 MiB image it runs at the machine's SHA-NI/assembly speed, several times faster than
 * pure JS, and it hashes each chunk in place without copies.
 */
import { createHash, type Hash } from 'node:crypto';
import { SHA1_DIGEST_INFO_PREFIX, createLegacySha1 } from './legacy-sha1.js';

export type DigestAlgorithm = 'SHA256' | 'SHA1';

/** DER of DigestInfo { id-sha256, NULL, OCTET STRING (32) } minus the hash (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO_PREFIX = Uint8Array.from([
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
  0x00, 0x04, 0x20,
]);

export const DIGEST_LENGTH: Record<DigestAlgorithm, number> = { SHA256: 32, SHA1: 20 };

export function createDigest(alg: DigestAlgorithm): Hash {
  return alg === 'SHA1' ? createLegacySha1() : createHash('sha256');
}

export function digestInfoPrefix(alg: DigestAlgorithm): Uint8Array {
  return alg === 'SHA1' ? SHA1_DIGEST_INFO_PREFIX : SHA256_DIGEST_INFO_PREFIX;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
