/* Host-side helpers of fwv-verify: PEM "PUBLIC KEY" (SubjectPublicKeyInfo) to an fwv key blob. */
#ifndef FWV_TOOLS_SPKI_H
#define FWV_TOOLS_SPKI_H

#include <stddef.h>
#include <stdint.h>
#include "fwv/protocol.h"

/*
 * Decodes the first "-----BEGIN PUBLIC KEY-----" block of pem[0..len) and fills key[260] as the
 * trust-anchor table stores it (EC: 04||X||Y; RSA: 256-byte modulus, 4-byte big-endian
 * exponent). Returns FWV_KEY_EC_P256 or FWV_KEY_RSA_2048, or 0 when the key is malformed, on
 * another curve, or an RSA key that is not 2048 bits.
 */
int fwv_spki_from_pem(const char *pem, size_t len, uint8_t key[FWV_TA_KEY_SIZE]);

#endif /* FWV_TOOLS_SPKI_H */
