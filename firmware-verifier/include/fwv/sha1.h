/* SHA-1 (FIPS 180-4), streaming. Legacy: only the CC3220SF platform (RSA PKCS#1 v1.5) uses it. */
#ifndef FWV_SHA1_H
#define FWV_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define FWV_SHA1_SIZE 20

typedef struct {
    uint32_t h[5];      /* chaining state */
    uint64_t len;       /* bytes hashed so far */
    uint8_t buf[64];    /* partial block */
    size_t fill;        /* bytes used in buf */
} fwv_sha1_ctx;

void fwv_sha1_init(fwv_sha1_ctx *c);
void fwv_sha1_update(fwv_sha1_ctx *c, const uint8_t *d, size_t n);
/* Writes the digest; the context must be initialised again before reuse. */
void fwv_sha1_final(fwv_sha1_ctx *c, uint8_t out[20]);

#endif /* FWV_SHA1_H */
