/* ECDSA verification on NIST P-256 (secp256r1). */
#ifndef FWV_P256_H
#define FWV_P256_H

#include <stdint.h>
#include "fwv/protocol.h"

/*
 * pub: 65-byte uncompressed point 04||X||Y; digest: 32-byte big-endian hash (SHA-256);
 * r, s: 32-byte big-endian. Returns FWV_OK if the signature verifies, FWV_ERR_BAD_KEY if the
 * point is malformed or not on the curve, FWV_ERR_SIGNATURE if r or s is 0 or >= n or the
 * signature does not verify.
 */
fwv_result fwv_p256_verify(const uint8_t pub[65], const uint8_t digest[32], const uint8_t r[32],
                           const uint8_t s[32]);

#endif /* FWV_P256_H */
