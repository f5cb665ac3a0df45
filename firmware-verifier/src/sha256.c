/* SHA-256 (FIPS 180-4) as a compact loop: the 64-word schedule first, then rounds eight at a time. */
#include <string.h>
#include "fwv/sha256.h"
#include "md_block.h"

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

// clang-format off: the round constants, eight to a line as FIPS 180-4 prints them
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};
// clang-format on

/* one round with the working variables named in place, so an unrolled run needs no moves:
 * T1 = h + S1(e) + Ch(e,f,g) + K[i] + W[i]; d += T1; h = T1 + S0(a) + Maj(a,b,c) */
#define ROUND(a, b, c, d, e, f, g, h, i) \
    do { \
        uint32_t t1_ = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + (g ^ (e & (f ^ g))) + \
                       K[i] + w[i]; \
        d += t1_; \
        h = t1_ + (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) | (c & (a | b))); \
    } while (0)

static void compress(uint32_t *h, const uint8_t *p)
{
    uint32_t w[64];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    int i;

    /* message schedule: W[0..16) the block's big-endian words,
     * W[i] = s1(W[i-2]) + W[i-7] + s0(W[i-15]) + W[i-16] */
    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (; i < 64; i++) {
        uint32_t w15 = w[i - 15], w2 = w[i - 2];
        w[i] = w[i - 16] + w[i - 7] + (ROR(w15, 7) ^ ROR(w15, 18) ^ (w15 >> 3)) +
               (ROR(w2, 17) ^ ROR(w2, 19) ^ (w2 >> 10));
    }
    /* 64 rounds, eight at a time so the variables rotate by renaming */
    for (i = 0; i < 64; i += 8) {
        ROUND(a, b, c, d, e, f, g, hh, i);
        ROUND(hh, a, b, c, d, e, f, g, i + 1);
        ROUND(g, hh, a, b, c, d, e, f, i + 2);
        ROUND(f, g, hh, a, b, c, d, e, i + 3);
        ROUND(e, f, g, hh, a, b, c, d, i + 4);
        ROUND(d, e, f, g, hh, a, b, c, i + 5);
        ROUND(c, d, e, f, g, hh, a, b, i + 6);
        ROUND(b, c, d, e, f, g, hh, a, i + 7);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

void fwv_sha256_init(fwv_sha256_ctx *c)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->len = 0;
    c->fill = 0;
}

void fwv_sha256_update(fwv_sha256_ctx *c, const uint8_t *d, size_t n)
{
    fwv_md_update(c->h, c->buf, &c->fill, &c->len, d, n, compress);
}

void fwv_sha256_final(fwv_sha256_ctx *c, uint8_t out[32])
{
    fwv_md_final(c->h, c->buf, c->fill, c->len, compress, out, 32);
}
