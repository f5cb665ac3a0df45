/* SHA-256 (FIPS 180-4), streaming. No heap; the context lives wherever the caller puts it. */
#ifndef FWV_SHA256_H
#define FWV_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define FWV_SHA256_SIZE 32

typedef struct {
    uint32_t h[8];      /* chaining state */
    uint64_t len;       /* bytes hashed so far */
    uint8_t buf[64];    /* partial block */
    size_t fill;        /* bytes used in buf */
} fwv_sha256_ctx;

void fwv_sha256_init(fwv_sha256_ctx *c);
void fwv_sha256_update(fwv_sha256_ctx *c, const uint8_t *d, size_t n);
/* Writes the digest; the context must be initialised again before reuse. */
void fwv_sha256_final(fwv_sha256_ctx *c, uint8_t out[32]);

#endif /* FWV_SHA256_H */
