/* SHA-1 (FIPS 180-4) as a compact loop. Legacy: used only for the CC3220SF platform. */
#include <string.h>
#include "fwv/sha1.h"
#include "md_block.h"

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* round function and constant of rounds [0,20), [20,40), [40,60), [60,80) */
static uint32_t f(int i, uint32_t b, uint32_t c, uint32_t d)
{
    if (i < 20) return (d ^ (b & (c ^ d))) + 0x5a827999;          /* Ch */
    if (i < 40) return (b ^ c ^ d) + 0x6ed9eba1;                  /* Parity */
    if (i < 60) return ((b & c) | (d & (b | c))) + 0x8f1bbcdc;    /* Maj */
    return (b ^ c ^ d) + 0xca62c1d6;                             /* Parity */
}

/* one round with the variables named in place: e += rol5(a) + f(b,c,d) + K + W[i]; b = rol30(b) */
#define ROUND(a, b, c, d, e, i) \
    do { \
        e += ROL(a, 5) + f(i, b, c, d) + w[i]; \
        b = ROL(b, 30); \
    } while (0)

static void compress(uint32_t *h, const uint8_t *p)
{
    uint32_t w[80];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    int i;

    /* W[0..16) the block's big-endian words, W[i] = rol1(W[i-3] ^ W[i-8] ^ W[i-14] ^ W[i-16]) */
    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (; i < 80; i++) w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    /* five rounds at a time (each group within one of the four 20-round stages) */
    for (i = 0; i < 80; i += 5) {
        ROUND(a, b, c, d, e, i);
        ROUND(e, a, b, c, d, i + 1);
        ROUND(d, e, a, b, c, i + 2);
        ROUND(c, d, e, a, b, i + 3);
        ROUND(b, c, d, e, a, i + 4);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void fwv_sha1_init(fwv_sha1_ctx *c)
{
    static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    memcpy(c->h, iv, sizeof iv);
    c->len = 0;
    c->fill = 0;
}

void fwv_sha1_update(fwv_sha1_ctx *c, const uint8_t *d, size_t n)
{
    fwv_md_update(c->h, c->buf, &c->fill, &c->len, d, n, compress);
}

void fwv_sha1_final(fwv_sha1_ctx *c, uint8_t out[20])
{
    fwv_md_final(c->h, c->buf, c->fill, c->len, compress, out, 20);
}
