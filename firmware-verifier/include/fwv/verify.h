/*
 * fwv: the firmware signature verifier. Entry points return an fwv_result (protocol.h), never
 * a bare boolean. No heap; every context is caller-owned and fixed-size.
 *
 *   fwv_verify_ctx v;
 *   fwv_verify_init(&v, FWV_ALG_SHA256_ECDSA, slot_size);
 *   while (chunk) fwv_verify_update(&v, chunk, n);       // as the image arrives
 *   fwv_anchors_find(table, table_len, certfile, strlen(certfile), &anchor);
 *   fwv_verify_final(&v, &anchor, sig, sig_len);          // FWV_OK or the reason it failed
 */
#ifndef FWV_VERIFY_H
#define FWV_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "fwv/protocol.h"
#include "fwv/sha256.h"
#include "fwv/sha1.h"
#include "fwv/anchors.h"

typedef struct {
    int alg;                 /* FWV_ALG_SHA256_ECDSA or FWV_ALG_SHA1_RSA */
    union {
        fwv_sha256_ctx sha256;
        fwv_sha1_ctx sha1;
    } h;
    uint32_t length;         /* bytes hashed so far */
    uint32_t max_length;     /* update refuses to go beyond this */
    int state;               /* internal: initialised / hashing / finished / failed */
} fwv_verify_ctx;

/* FWV_OK, FWV_ERR_UNKNOWN_ALG for an unknown alg, FWV_ERR_ARG for a NULL ctx. */
fwv_result fwv_verify_init(fwv_verify_ctx *ctx, int alg, uint32_t max_length);

/*
 * Hashes the next chunk (any size, including 0). FWV_ERR_TOO_LARGE once the total would pass
 * max_length (the context then refuses final), FWV_ERR_STATE if not initialised or already
 * finished, FWV_ERR_ARG for NULL data with len > 0.
 */
fwv_result fwv_verify_update(fwv_verify_ctx *ctx, const uint8_t *data, size_t len);

/*
 * Finishes the hash and checks sig against anchor. ECDSA: sig is DER; RSA: 256 raw bytes.
 * Returns FWV_OK, or FWV_ERR_ALG_MISMATCH (anchor key type differs from alg), FWV_ERR_DER,
 * FWV_ERR_BAD_LENGTH, FWV_ERR_BAD_KEY, FWV_ERR_SIGNATURE, FWV_ERR_STATE, FWV_ERR_TOO_LARGE,
 * FWV_ERR_ARG. The context is finished afterwards whatever the result.
 */
fwv_result fwv_verify_final(fwv_verify_ctx *ctx, const fwv_anchor *anchor, const uint8_t *sig,
                            size_t sig_len);

/* As fwv_verify_final, over a digest computed elsewhere (32 bytes for ECDSA, 20 for RSA). */
fwv_result fwv_verify_digest(int alg, const fwv_anchor *anchor, const uint8_t *digest,
                             const uint8_t *sig, size_t sig_len);

/* "sig-sha256-ecdsa" -> FWV_ALG_SHA256_ECDSA, "sig-sha1-rsa" -> FWV_ALG_SHA1_RSA, else 0. */
int fwv_alg_from_name(const char *name, size_t len);

/* "FWV_OK", "FWV_ERR_SIGNATURE", ...; "FWV_ERR_?" for a value outside the enum. */
const char *fwv_result_name(fwv_result r);
/* One-line human text for a result, from protocol.json. */
const char *fwv_result_text(fwv_result r);

#endif /* FWV_VERIFY_H */
