/* RSA-2048 PKCS#1 v1.5 signature verification, public exponent 65537. */
#ifndef FWV_RSA_H
#define FWV_RSA_H

#include <stddef.h>
#include <stdint.h>
#include "fwv/protocol.h"

#define FWV_RSA_BYTES 256

/* DigestInfo prefixes (DER of AlgorithmIdentifier with NULL parameters, OCTET STRING header). */
extern const uint8_t fwv_rsa_sha1_prefix[15];
extern const uint8_t fwv_rsa_sha256_prefix[19];

/*
 * mod: 256-byte big-endian modulus (top bit set, odd); e: public exponent, odd and >= 3 (the
 * platforms use 65537 and fwv_verify_* refuses any other with FWV_ERR_BAD_KEY);
 * sig: 256 bytes big-endian. Re-encodes 00 01 FF..FF 00 || prefix || digest and compares the
 * whole block with sig^e mod n. Returns FWV_OK, FWV_ERR_BAD_KEY (modulus even, not 2048 bits,
 * or e even or < 3), FWV_ERR_ARG (prefix + digest too long), FWV_ERR_SIGNATURE (sig >= n, or
 * block differs).
 */
fwv_result fwv_rsa2048_verify(const uint8_t mod[256], uint32_t e, const uint8_t sig[256],
                              const uint8_t *prefix, size_t prefix_len, const uint8_t *digest,
                              size_t digest_len);

#endif /* FWV_RSA_H */
