/* The verifier's entry points: streaming hash, then the signature check against an anchor. */
#include <string.h>
#include "fwv/verify.h"
#include "fwv/der.h"
#include "fwv/p256.h"
#include "fwv/rsa.h"

enum {
    ST_NONE = 0,
    ST_HASHING = 0x5a17,
    ST_DONE = 0x5a18,
    ST_FAILED = 0x5a19
};

fwv_result fwv_verify_init(fwv_verify_ctx *ctx, int alg, uint32_t max_length)
{
    if (!ctx) return FWV_ERR_ARG;
    memset(ctx, 0, sizeof *ctx);
    if (alg == FWV_ALG_SHA256_ECDSA) fwv_sha256_init(&ctx->h.sha256);
    else if (alg == FWV_ALG_SHA1_RSA) fwv_sha1_init(&ctx->h.sha1);
    else return FWV_ERR_UNKNOWN_ALG;
    ctx->alg = alg;
    ctx->max_length = max_length;
    ctx->state = ST_HASHING;
    return FWV_OK;
}

fwv_result fwv_verify_update(fwv_verify_ctx *ctx, const uint8_t *data, size_t len)
{
    if (!ctx) return FWV_ERR_ARG;
    if (ctx->state == ST_FAILED) return FWV_ERR_TOO_LARGE;
    if (ctx->state != ST_HASHING) return FWV_ERR_STATE;
    if (!data && len) return FWV_ERR_ARG;
    if (len > (size_t)(ctx->max_length - ctx->length)) {
        /* an image that overruns its stated size is refused for good, not truncated */
        ctx->state = ST_FAILED;
        return FWV_ERR_TOO_LARGE;
    }
    if (ctx->alg == FWV_ALG_SHA256_ECDSA) fwv_sha256_update(&ctx->h.sha256, data, len);
    else fwv_sha1_update(&ctx->h.sha1, data, len);
    ctx->length += (uint32_t)len;
    return FWV_OK;
}

fwv_result fwv_verify_final(fwv_verify_ctx *ctx, const fwv_anchor *anchor, const uint8_t *sig,
                            size_t sig_len)
{
    uint8_t digest[32];
    int st;
    if (!ctx) return FWV_ERR_ARG;
    st = ctx->state;
    ctx->state = ST_DONE;
    if (st == ST_FAILED) return FWV_ERR_TOO_LARGE;
    if (st != ST_HASHING) return FWV_ERR_STATE;
    if (ctx->alg == FWV_ALG_SHA256_ECDSA) fwv_sha256_final(&ctx->h.sha256, digest);
    else fwv_sha1_final(&ctx->h.sha1, digest);
    return fwv_verify_digest(ctx->alg, anchor, digest, sig, sig_len);
}

fwv_result fwv_verify_digest(int alg, const fwv_anchor *anchor, const uint8_t *digest,
                             const uint8_t *sig, size_t sig_len)
{
    if (!anchor || !anchor->key || !digest || (!sig && sig_len)) return FWV_ERR_ARG;
    if (alg == FWV_ALG_SHA256_ECDSA) {
        uint8_t r[32], s[32];
        fwv_result res;
        if (anchor->key_type != FWV_KEY_EC_P256) return FWV_ERR_ALG_MISMATCH;
        res = fwv_der_ecdsa_sig_to_raw(sig, sig_len, r, s);
        if (res != FWV_OK) return res;
        return fwv_p256_verify(anchor->key, digest, r, s);
    }
    if (alg == FWV_ALG_SHA1_RSA) {
        const uint8_t *k = anchor->key;
        uint32_t e;
        if (anchor->key_type != FWV_KEY_RSA_2048) return FWV_ERR_ALG_MISMATCH;
        if (sig_len != FWV_RSA_BYTES) return FWV_ERR_BAD_LENGTH;
        e = (uint32_t)k[256] << 24 | (uint32_t)k[257] << 16 | (uint32_t)k[258] << 8 | k[259];
        if (e != 65537) return FWV_ERR_BAD_KEY;  /* what the signing platforms issue */
        return fwv_rsa2048_verify(k, e, sig, fwv_rsa_sha1_prefix, sizeof fwv_rsa_sha1_prefix,
                                  digest, 20);
    }
    return FWV_ERR_UNKNOWN_ALG;
}
