/**
 * SHA-1: fenced here because it is broken for collision resistance. Only the
 * AmazonFreeRTOS-TI-CC3220SF platform uses it, because that chip's bootloader verifies
 * SHA1withRSA and nothing else; no other code path may import this module.
 */
import { createHash, type Hash } from 'node:crypto';

/** DER of DigestInfo { AlgorithmIdentifier { id-sha1, NULL }, OCTET STRING (20) } minus the hash (RFC 8017 §9.2 note 1). */
export const SHA1_DIGEST_INFO_PREFIX = Uint8Array.from([
  0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
]);

export function createLegacySha1(): Hash {
  return createHash('sha1');
}
