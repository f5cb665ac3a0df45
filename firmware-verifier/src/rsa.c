/*
 * RSA-2048 PKCS#1 v1.5 verification (the device uses e = 65537) with Montgomery multiplication, R = 2^2048.
 * 64 x 32-bit limbs, little-endian limb order, all on the stack. Public data only.
 */
#include <string.h>
#include "fwv/rsa.h"
#include "umaal.h"

#define L 64   /* limbs in 2048 bits */

/* AlgorithmIdentifier { id-sha1, NULL } and OCTET STRING (20), per RFC 8017 section 9.2 note 1 */
const uint8_t fwv_rsa_sha1_prefix[15] = {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
                                         0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};
/* AlgorithmIdentifier { id-sha256, NULL } and OCTET STRING (32) */
const uint8_t fwv_rsa_sha256_prefix[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
                                           0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
                                           0x20};

static void from_be(uint32_t r[L], const uint8_t b[256])
{
    int i;
    for (i = 0; i < L; i++) {
        const uint8_t *q = b + 252 - 4 * i;
        r[i] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
    }
}

/* 1 if a >= b */
static int geq(const uint32_t *a, const uint32_t *b)
{
    int i;
    for (i = L - 1; i >= 0; i--)
        if (a[i] != b[i]) return a[i] > b[i];
    return 1;
}

/* r = a - b, returns the borrow */
static uint32_t sub(uint32_t *r, const uint32_t *a, const uint32_t *b)
{
    int64_t c = 0;
    int i;
    for (i = 0; i < L; i++) {
        c += (int64_t)a[i] - b[i];
        r[i] = (uint32_t)c;
        c >>= 32;
    }
    return (uint32_t)-c;
}

/*
 * r = a * b / R mod n (CIOS: multiply and reduce one word of b at a time, both products in
 * one pass), for a, b < n. r may alias a or b.
 */
static void mont_mul(uint32_t r[L], const uint32_t a[L], const uint32_t b[L], const uint32_t n[L],
                     uint32_t n0inv)
{
    uint32_t t[L + 1];
    int i, j;
    memset(t, 0, sizeof t);
    for (i = 0; i < L; i++) {
        /* t = (t + a b[i] + m n) / 2^32, m = -(t + a b[i]) / n mod 2^32 cancels the low word */
        uint32_t bi = b[i], c1 = 0, c2 = 0, lo, m;
        lo = t[0];
        UMAAL(lo, c1, a[0], bi);
        m = lo * n0inv;
        UMAAL(lo, c2, m, n[0]);
        for (j = 1; j < L; j += 3) {
            /* unrolled by three (63 = 3 x 21) */
            lo = t[j];
            UMAAL(lo, c1, a[j], bi);
            UMAAL(lo, c2, m, n[j]);
            t[j - 1] = lo;
            lo = t[j + 1];
            UMAAL(lo, c1, a[j + 1], bi);
            UMAAL(lo, c2, m, n[j + 1]);
            t[j] = lo;
            lo = t[j + 2];
            UMAAL(lo, c1, a[j + 2], bi);
            UMAAL(lo, c2, m, n[j + 2]);
            t[j + 1] = lo;
        }
        lo = t[L];
        UMAAL(lo, c1, 1u, c2);           /* t[L] + c1 + c2, carry in c1 */
        t[L - 1] = lo;
        t[L] = c1;
    }
    /* t < 2n: one conditional subtraction */
    if (t[L] || geq(t, n)) sub(t, t, n);
    memcpy(r, t, L * sizeof(uint32_t));
}

fwv_result fwv_rsa2048_verify(const uint8_t mod[256], uint32_t e, const uint8_t sig[256],
                              const uint8_t *prefix, size_t prefix_len, const uint8_t *digest,
                              size_t digest_len)
{
    uint32_t n[L], a[L], x[L], r2[L];
    uint8_t em[256];
    uint32_t n0inv, inv, diff;
    size_t pad, k;
    int i;

    if (!mod || !sig || (!prefix && prefix_len) || (!digest && digest_len)) return FWV_ERR_ARG;
    /* a 2048-bit odd modulus and an odd exponent >= 3 (the device policy, e = 65537 only, is
     * verify.c's: the core takes any so NIST's e = 3, 17, ... vectors exercise it) */
    if (!(mod[0] & 0x80) || !(mod[255] & 1) || e < 3 || !(e & 1)) return FWV_ERR_BAD_KEY;
    if (prefix_len + digest_len > 256 - 11) return FWV_ERR_ARG;  /* >= 8 bytes of FF padding */

    from_be(n, mod);
    from_be(a, sig);
    if (geq(a, n)) return FWV_ERR_SIGNATURE;               /* signature representative >= n */

    /* n0inv = -n^-1 mod 2^32 by Newton's iteration (each step doubles the correct bits) */
    inv = n[0];
    for (i = 0; i < 4; i++) inv *= 2u - n[0] * inv;
    n0inv = 0u - inv;

    /*
     * r2 = R^2 mod n: start from R mod n = 2^2048 - n (n > 2^2047), double it 128 times to get
     * 2^128 R, then four Montgomery squarings take 2^k R to 2^2k R: 2^2048 R = R^2 mod n.
     */
    memset(x, 0, sizeof x);
    sub(r2, x, n);
    for (k = 0; k < 128; k++) {
        uint32_t c = 0;
        for (i = 0; i < L; i++) {
            uint32_t v = r2[i];
            r2[i] = (v << 1) | c;
            c = v >> 31;
        }
        if (c || geq(r2, n)) sub(r2, r2, n);
    }
    for (i = 0; i < 4; i++) mont_mul(r2, r2, r2, n, n0inv);

    /*
     * x = a^e mod n: a R = a into Montgomery form; (a R)^(e-1) left to right over the bits of
     * the even e - 1 (for 65537: 16 squarings, no multiplies); then a plain multiply by a,
     * which also leaves Montgomery form: (a^(e-1) R) a / R = a^e.
     */
    mont_mul(r2, a, r2, n, n0inv);                         /* r2 = a R */
    memcpy(x, r2, sizeof x);
    for (i = 31; !(((e - 1) >> i) & 1); i--) {}            /* top bit of e - 1 (e >= 3) */
    for (i--; i >= 0; i--) {
        mont_mul(x, x, x, n, n0inv);
        if (((e - 1) >> i) & 1) mont_mul(x, x, r2, n, n0inv);
    }
    mont_mul(x, x, a, n, n0inv);                           /* a^e */

    /* EM = 00 01 FF..FF 00 || DigestInfo prefix || digest, compared as a whole block */
    pad = 256 - 3 - prefix_len - digest_len;
    em[0] = 0x00;
    em[1] = 0x01;
    memset(em + 2, 0xff, pad);
    em[2 + pad] = 0x00;
    if (prefix_len) memcpy(em + 3 + pad, prefix, prefix_len);
    if (digest_len) memcpy(em + 3 + pad + prefix_len, digest, digest_len);
    diff = 0;
    for (k = 0; k < 256; k++) {
        size_t limb = (255 - k) >> 2, shift = 8 * ((255 - k) & 3);
        diff |= em[k] ^ ((x[limb] >> shift) & 0xff);
    }
    return diff ? FWV_ERR_SIGNATURE : FWV_OK;
}
