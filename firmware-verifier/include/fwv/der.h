/* Strict DER for ECDSA signatures: SEQUENCE { INTEGER r, INTEGER s } -> 32-byte big-endian r, s. */
#ifndef FWV_DER_H
#define FWV_DER_H

#include <stddef.h>
#include <stdint.h>
#include "fwv/protocol.h"

/*
 * Returns FWV_OK and writes r and s (left-padded with zeros) for a strict DER encoding:
 * definite lengths, the long form only where the short form cannot hold the length (so only
 * 0x81 with 128..255 is possible), minimal INTEGER encodings (one 0x00 only before
 * a byte >= 0x80), no negative integers, integers of at most 32 significant bytes, no trailing
 * bytes. Returns FWV_ERR_DER for anything else, including an empty signature; FWV_ERR_ARG for
 * NULL r or s, or NULL sig with len > 0. Range checks against n happen in p256. Never reads
 * outside sig[0..len).
 */
fwv_result fwv_der_ecdsa_sig_to_raw(const uint8_t *sig, size_t len, uint8_t r[32], uint8_t s[32]);

#endif /* FWV_DER_H */
