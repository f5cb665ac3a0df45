/*
 * ECDSA verification on P-256 in C (the multiply-accumulate step is the M4's UMAAL instruction
 * where there is one, see umaal.h): 8 x 32-bit limbs, little-endian limb order.
 * Field elements are always fully reduced into [0, p). Points are Jacobian (X, Y, Z), with
 * x = X/Z^2, y = Y/Z^3 and Z = 0 for the point at infinity. Nothing here is secret (public key,
 * public signature), so the code is not constant-time.
 */
#include <string.h>
#include "fwv/p256.h"
#include "umaal.h"

typedef uint32_t fe[8];

typedef struct {
    fe x, y, z;
} jpoint;

static const fe P = {0xffffffff, 0xffffffff, 0xffffffff, 0x00000000,
                     0x00000000, 0x00000000, 0x00000001, 0xffffffff};
static const fe N = {0xfc632551, 0xf3b9cac2, 0xa7179e84, 0xbce6faad,
                     0xffffffff, 0xffffffff, 0x00000000, 0xffffffff};
static const fe B = {0x27d2604b, 0x3bce3c3e, 0xcc53b0f6, 0x651d06b0,
                     0x769886bc, 0xb3ebbd55, 0xaa3a93e7, 0x5ac635d8};
/* odd multiples 1G, 3G, ..., 15G of the generator, affine (x, y): the wNAF table for u1 G */
// clang-format off: one (x, y) pair per line, as the table is read
static const fe GTAB[8][2] = {
    /* 1G */ {{0xd898c296, 0xf4a13945, 0x2deb33a0, 0x77037d81, 0x63a440f2, 0xf8bce6e5, 0xe12c4247, 0x6b17d1f2},
             {0x37bf51f5, 0xcbb64068, 0x6b315ece, 0x2bce3357, 0x7c0f9e16, 0x8ee7eb4a, 0xfe1a7f9b, 0x4fe342e2}},
    /* 3G */ {{0xc6e7fd6c, 0xfb41661b, 0xefada985, 0xe6c6b721, 0x1d4bf165, 0xc8f7ef95, 0xa6330a44, 0x5ecbe4d1},
             {0xa27d5032, 0x9a79b127, 0x384fb83d, 0xd82ab036, 0x1a64a2ec, 0x374b06ce, 0x4998ff7e, 0x8734640c}},
    /* 5G */ {{0xc3d033ed, 0x21554a0d, 0x1f5be524, 0xef8c82fd, 0x08668fdf, 0xd784c856, 0x515140d2, 0x51590b7a},
             {0xfda16da4, 0xd1d0bb44, 0xd4d80888, 0x0d012f00, 0xbf8a7926, 0x8ae1bf36, 0x904a727d, 0xe0c17da8}},
    /* 7G */ {{0x3187b2a3, 0x30062870, 0xa80fef5b, 0x7ef9f8b8, 0x7c01fb60, 0x25bb3066, 0xa0bf7b46, 0x8e533b6f},
             {0xc1f400b4, 0xc55e1a86, 0xcb041b21, 0x53c73633, 0xa6f59000, 0x6d069f83, 0xe0331836, 0x73eb1dbd}},
    /* 9G */ {{0x90949ee0, 0xd79e8a4b, 0x2c6df8b3, 0x9e0acb8c, 0x1d71f872, 0x878938d5, 0xfedf0b71, 0xea68d7b6},
             {0x4dd048fa, 0xe85a224a, 0xa4de823f, 0x4d714fea, 0x4a8ea0c8, 0x87014a96, 0x72c9fce7, 0x2a2744c9}},
    /* 11G */ {{0x74bc21d1, 0x433391d3, 0x255048bf, 0x16742ed0, 0xb0c21cda, 0x0638379d, 0x883b4c59, 0x3ed113b7},
             {0xe82a3740, 0xe2f8eefc, 0x5e9889da, 0x090d04da, 0xa4f4c68a, 0x24c843af, 0xccc4c8a2, 0x9099209a}},
    /* 13G */ {{0x46072c01, 0x98e15d9d, 0x65ead58a, 0x792e284b, 0xd85ee2fc, 0x61805df2, 0xe0ac495a, 0x177c837a},
             {0xefc7bfd8, 0x9c43bbe2, 0xa1fb4df3, 0x26ee14c3, 0xb40f4e72, 0xa24091ad, 0x4ebea558, 0x63bb58cd}},
    /* 15G */ {{0xe59b9d5f, 0x63668c63, 0xde3a0ef1, 0xae03af92, 0x99888265, 0xadfb3789, 0x971abae7, 0xf0454dc6},
             {0x0d034f36, 0x47e59cde, 0x75b5fa3f, 0x2a3b21ce, 0x1f9643e6, 0x4e6594e5, 0x592e2d1f, 0xb5b93ee3}},
};
// clang-format on

/* R^2 mod n and -n^-1 mod 2^32, for Montgomery arithmetic modulo the group order */
static const fe R2N = {0xbe79eea2, 0x83244c95, 0x49bd6fa6, 0x4699799c,
                       0x2b6bec59, 0x2845b239, 0xf3d95620, 0x66e12d94};
#define N0INV 0xee00bc4fu

/* ---- 256-bit integers ---- */

static void bn_from_be(fe r, const uint8_t *b)
{
    int i;
    for (i = 0; i < 8; i++) {
        const uint8_t *q = b + 28 - 4 * i;
        r[i] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
    }
}

/*
 * r = a + b, returns the carry out. UMAAL with a multiplier of 1 is a 32-bit add with carry in
 * and out: (carry:r[i]) = 1 * b[i] + a[i] + carry, one instruction per word on the M4.
 */
static uint32_t bn_add(fe r, const fe a, const fe b)
{
    uint32_t c = 0, lo;
// clang-format off: the unrolled limb loop reads as one line of steps
#define ADDW(i) lo = a[i]; UMAAL(lo, c, 1u, b[i]); r[i] = lo;
    ADDW(0) ADDW(1) ADDW(2) ADDW(3) ADDW(4) ADDW(5) ADDW(6) ADDW(7)
#undef ADDW
    return c;
    // clang-format on
}

/* r = a - b, returns the borrow out (1 if a < b): a + ~b + 1, the carry out is "no borrow" */
static uint32_t bn_sub(fe r, const fe a, const fe b)
{
    uint32_t c = 1, lo;
// clang-format off: the unrolled limb loop reads as one line of steps
#define SUBW(i) lo = a[i]; UMAAL(lo, c, 1u, ~b[i]); r[i] = lo;
    SUBW(0) SUBW(1) SUBW(2) SUBW(3) SUBW(4) SUBW(5) SUBW(6) SUBW(7)
#undef SUBW
    return c ^ 1u;
    // clang-format on
}

/* 1 if a >= b */
static int bn_geq(const fe a, const fe b)
{
    int i;
    for (i = 7; i >= 0; i--)
        if (a[i] != b[i]) return a[i] > b[i];
    return 1;
}

static int bn_is_zero(const fe a)
{
    uint32_t t = 0;
    int i;
    for (i = 0; i < 8; i++) t |= a[i];
    return t == 0;
}

static int bn_eq(const fe a, const fe b)
{
    uint32_t t = 0;
    int i;
    for (i = 0; i < 8; i++) t |= a[i] ^ b[i];
    return t == 0;
}

/* ---- field arithmetic modulo p = 2^256 - 2^224 + 2^192 + 2^96 - 1 ---- */

static void fe_add(fe r, const fe a, const fe b)
{
    /* r = a + b mod p: one conditional subtraction since a, b < p */
    if (bn_add(r, a, b) || bn_geq(r, P)) bn_sub(r, r, P);
}

static void fe_sub(fe r, const fe a, const fe b)
{
    /* r = a - b mod p: one conditional addition */
    if (bn_sub(r, a, b)) bn_add(r, r, P);
}

/*
 * r = c mod p for a 512-bit c, by NIST's fast reduction (FIPS 186-4 D.2.3): with c's 32-bit
 * words c0..c15, r = s1 + 2 s2 + 2 s3 + s4 + s5 - s6 - s7 - s8 - s9, written out per word.
 */
static void fe_reduce(fe r, const uint32_t c[16])
{
    int64_t acc, t;
    int i;
#define C(k) ((int64_t)c[k])
    acc = C(0) + C(8) + C(9) - C(11) - C(12) - C(13) - C(14);
    r[0] = (uint32_t)acc;
    acc >>= 32;
    acc += C(1) + C(9) + C(10) - C(12) - C(13) - C(14) - C(15);
    r[1] = (uint32_t)acc;
    acc >>= 32;
    acc += C(2) + C(10) + C(11) - C(13) - C(14) - C(15);
    r[2] = (uint32_t)acc;
    acc >>= 32;
    acc += C(3) + 2 * (C(11) + C(12)) + C(13) - C(15) - C(8) - C(9);
    r[3] = (uint32_t)acc;
    acc >>= 32;
    acc += C(4) + 2 * (C(12) + C(13)) + C(14) - C(9) - C(10);
    r[4] = (uint32_t)acc;
    acc >>= 32;
    acc += C(5) + 2 * (C(13) + C(14)) + C(15) - C(10) - C(11);
    r[5] = (uint32_t)acc;
    acc >>= 32;
    acc += C(6) + 3 * C(14) + 2 * C(15) + C(13) - C(8) - C(9);
    r[6] = (uint32_t)acc;
    acc >>= 32;
    acc += C(7) + 3 * C(15) + C(8) - C(10) - C(11) - C(12) - C(13);
    r[7] = (uint32_t)acc;
    acc >>= 32;
#undef C
    /* fold the signed top carry t back in: t * 2^256 = t * (2^224 - 2^192 - 2^96 + 1) mod p */
    t = acc;
    acc = (int64_t)r[0] + t;
    r[0] = (uint32_t)acc;
    acc >>= 32;
    acc += (int64_t)r[1];
    r[1] = (uint32_t)acc;
    acc >>= 32;
    acc += (int64_t)r[2];
    r[2] = (uint32_t)acc;
    acc >>= 32;
    acc += (int64_t)r[3] - t;
    r[3] = (uint32_t)acc;
    acc >>= 32;
    acc += (int64_t)r[4];
    r[4] = (uint32_t)acc;
    acc >>= 32;
    acc += (int64_t)r[5];
    r[5] = (uint32_t)acc;
    acc >>= 32;
    acc += (int64_t)r[6] - t;
    r[6] = (uint32_t)acc;
    acc >>= 32;
    acc += (int64_t)r[7] + t;
    r[7] = (uint32_t)acc;
    acc >>= 32;
    /* what is left is a carry of -1, 0 or +1: bring r into [0, p) */
    for (i = 0; i < 3 && acc < 0; i++) acc += bn_add(r, r, P);
    for (i = 0; i < 3 && (acc > 0 || bn_geq(r, P)); i++) acc -= bn_sub(r, r, P);
}

/* c[0..16) = a * b: schoolbook, one row of eight multiply-accumulates per word of a */
static void mul_256(uint32_t c[16], const fe a, const fe b)
{
    uint32_t b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5], b6 = b[6], b7 = b[7];
    uint32_t hi, ai;
    int i;
    /* row 0 writes c[0..8] outright; later rows accumulate into c[i..i+8] */
    ai = a[0];
    hi = 0;
    c[0] = 0;
    UMAAL(c[0], hi, ai, b0);
    c[1] = 0;
    UMAAL(c[1], hi, ai, b1);
    c[2] = 0;
    UMAAL(c[2], hi, ai, b2);
    c[3] = 0;
    UMAAL(c[3], hi, ai, b3);
    c[4] = 0;
    UMAAL(c[4], hi, ai, b4);
    c[5] = 0;
    UMAAL(c[5], hi, ai, b5);
    c[6] = 0;
    UMAAL(c[6], hi, ai, b6);
    c[7] = 0;
    UMAAL(c[7], hi, ai, b7);
    c[8] = hi;
    for (i = 1; i < 8; i++) {
        uint32_t *ci = c + i;
        ai = a[i];
        hi = 0;
        UMAAL(ci[0], hi, ai, b0);
        UMAAL(ci[1], hi, ai, b1);
        UMAAL(ci[2], hi, ai, b2);
        UMAAL(ci[3], hi, ai, b3);
        UMAAL(ci[4], hi, ai, b4);
        UMAAL(ci[5], hi, ai, b5);
        UMAAL(ci[6], hi, ai, b6);
        UMAAL(ci[7], hi, ai, b7);
        ci[8] = hi;
    }
}

/* r = a * b mod p */
static void fe_mul(fe r, const fe a, const fe b)
{
    uint32_t c[16];
    mul_256(c, a, b);
    fe_reduce(r, c);
}

/* r = a^2 mod p (the general product: on the M4 it beats a cross-products-once squaring) */
static void fe_sqr(fe r, const fe a)
{
    uint32_t c[16];
    mul_256(c, a, a);
    fe_reduce(r, c);
}

/* ---- arithmetic modulo the group order n (Montgomery, R = 2^256) ---- */

/* r = a * b / R mod n, for a < R and b < n (so the result needs one subtraction at most) */
static void mn_mul(fe r, const fe a, const fe b)
{
    uint32_t c[16], carry = 0, lo, hi, m;
    int i;
    mul_256(c, a, b);
    /* Montgomery reduction: eight times, add m n with m = -c[i] / n mod 2^32 so c[i] becomes 0 */
    for (i = 0; i < 8; i++) {
        uint32_t *ci = c + i;
        m = ci[0] * N0INV;
        hi = 0;
        UMAAL(ci[0], hi, m, N[0]);
        UMAAL(ci[1], hi, m, N[1]);
        UMAAL(ci[2], hi, m, N[2]);
        UMAAL(ci[3], hi, m, N[3]);
        UMAAL(ci[4], hi, m, N[4]);
        UMAAL(ci[5], hi, m, N[5]);
        UMAAL(ci[6], hi, m, N[6]);
        UMAAL(ci[7], hi, m, N[7]);
        lo = ci[8];
        UMAAL(lo, carry, 1u, hi);        /* c[i+8] + hi + carry; carry is 0 or 1 */
        ci[8] = lo;
    }
    /* the result c[8..16) + carry 2^256 is below 2n */
    if (carry || bn_geq(c + 8, N)) bn_sub(c + 8, c + 8, N);
    memcpy(r, c + 8, sizeof(fe));
}

/* kept out of fwv_p256_verify's frame: its table and the NAF arrays are never live together */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* r = a^-1 * R mod n for a = x * R (Montgomery form), by Fermat: a^(n-2), 4-bit fixed window */
static NOINLINE void mn_inv(fe r, const fe a)
{
    fe tab[16], e, acc;
    int i, k;
    /* e = n - 2 */
    memcpy(e, N, sizeof e);
    e[0] -= 2;
    /* tab[j] = a^j (Montgomery form); tab[0] is not used: n - 2's top nibble is 0xF */
    memcpy(tab[1], a, sizeof(fe));
    for (i = 2; i < 16; i++) mn_mul(tab[i], tab[i - 1], a);
    memcpy(acc, tab[e[7] >> 28], sizeof acc);
    for (i = 62; i >= 0; i--) {
        int nib = (int)(e[i >> 3] >> (4 * (i & 7))) & 15;
        for (k = 0; k < 4; k++) mn_mul(acc, acc, acc);
        if (nib) mn_mul(acc, acc, tab[nib]);
    }
    memcpy(r, acc, sizeof acc);
}

/* ---- points (a = -3) ---- */

/* r = 2 p (dbl-2001-b: 3M + 5S); infinity stays infinity because Z3 = 2 Y Z */
static void pt_double(jpoint *r, const jpoint *p)
{
    fe delta, gamma, beta, alpha, t;
    fe_sqr(delta, p->z);                 /* delta = Z^2 */
    fe_sqr(gamma, p->y);                 /* gamma = Y^2 */
    fe_mul(beta, p->x, gamma);           /* beta = X * gamma */
    fe_sub(t, p->x, delta);
    fe_add(alpha, p->x, delta);
    fe_mul(alpha, alpha, t);             /* alpha = 3 (X - delta)(X + delta) */
    fe_add(t, alpha, alpha);
    fe_add(alpha, alpha, t);
    fe_add(t, p->y, p->z);
    fe_sqr(t, t);
    fe_sub(t, t, gamma);
    fe_sub(r->z, t, delta);              /* Z3 = (Y + Z)^2 - gamma - delta */
    fe_add(beta, beta, beta);
    fe_add(beta, beta, beta);            /* beta = 4 beta */
    fe_sqr(t, alpha);
    fe_sub(t, t, beta);
    fe_sub(r->x, t, beta);               /* X3 = alpha^2 - 8 beta */
    fe_sub(beta, beta, r->x);
    fe_mul(beta, beta, alpha);           /* alpha (4 beta - X3) */
    fe_sqr(gamma, gamma);
    fe_add(gamma, gamma, gamma);
    fe_add(gamma, gamma, gamma);
    fe_add(gamma, gamma, gamma);         /* 8 gamma^2 */
    fe_sub(r->y, beta, gamma);           /* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
}

/*
 * r = p + q, with q affine when q_affine (then q->z is ignored: 8M + 3S), else Jacobian
 * (add-1998-cmo-2: 12M + 4S). Handles p or q at infinity, p == q and p == -q.
 */
static void pt_add(jpoint *r, const jpoint *p, const jpoint *q, int q_affine)
{
    fe u1, u2, s1, s2, h, rr, hh, hhh, t;
    if (bn_is_zero(p->z)) {
        *r = *q;
        if (q_affine) {
            memset(r->z, 0, sizeof(fe));
            r->z[0] = 1;
        }
        return;
    }
    if (!q_affine && bn_is_zero(q->z)) {
        *r = *p;
        return;
    }
    fe_sqr(t, p->z);                     /* Z1^2 */
    fe_mul(u2, q->x, t);                 /* U2 = X2 Z1^2 */
    fe_mul(s2, q->y, p->z);
    fe_mul(s2, s2, t);                   /* S2 = Y2 Z1^3 */
    if (q_affine) {
        memcpy(u1, p->x, sizeof u1);     /* U1 = X1 */
        memcpy(s1, p->y, sizeof s1);     /* S1 = Y1 */
    } else {
        fe_sqr(t, q->z);                 /* Z2^2 */
        fe_mul(u1, p->x, t);             /* U1 = X1 Z2^2 */
        fe_mul(s1, p->y, q->z);
        fe_mul(s1, s1, t);               /* S1 = Y1 Z2^3 */
    }
    fe_sub(h, u2, u1);                   /* H = U2 - U1 */
    fe_sub(rr, s2, s1);                  /* R = S2 - S1 */
    if (bn_is_zero(h)) {
        if (bn_is_zero(rr)) { /* p == q */
            pt_double(r, p);
            return;
        }
        memset(r, 0, sizeof *r);                            /* p == -q: infinity */
        return;
    }
    fe_mul(t, p->z, h);
    if (!q_affine) fe_mul(t, t, q->z);
    memcpy(r->z, t, sizeof t);           /* Z3 = Z1 Z2 H */
    fe_sqr(hh, h);                       /* H^2 */
    fe_mul(hhh, hh, h);                  /* H^3 */
    fe_mul(u1, u1, hh);                  /* V = U1 H^2 */
    fe_sqr(t, rr);
    fe_sub(t, t, hhh);
    fe_sub(t, t, u1);
    fe_sub(r->x, t, u1);                 /* X3 = R^2 - H^3 - 2 V */
    fe_sub(t, u1, r->x);
    fe_mul(t, t, rr);                    /* R (V - X3) */
    fe_mul(s1, s1, hhh);                 /* S1 H^3 */
    fe_sub(r->y, t, s1);                 /* Y3 = R (V - X3) - S1 H^3 */
}

/* bits [pos, pos + n) of k (n <= 8; bits past 255 read as 0) */
static uint32_t bits(const fe k, int pos, int n)
{
    uint32_t v = 0;
    if (pos < 256) {
        v = k[pos >> 5] >> (pos & 31);
        if ((pos & 31) + n > 32 && pos < 224) v |= k[(pos >> 5) + 1] << (32 - (pos & 31));
    }
    return v & ((1u << n) - 1);
}

/*
 * naf[0..257) = the width-w NAF of k < 2^256, least significant digit first: every digit is 0
 * or odd with |digit| < 2^(w-1), and k = sum naf[i] 2^i. Reads windows of k with a carry
 * rather than subtracting from a copy (libsecp256k1's method).
 */
static void wnaf(int8_t naf[257], const fe k, int w)
{
    int pos = 0, carry = 0;
    memset(naf, 0, 257);
    while (pos < 257) {
        int word;
        if ((int)bits(k, pos, 1) == carry) {
            pos++;
            continue;
        }
        /* a window of w bits plus the carry: odd; above 2^(w-1) it becomes negative + carry */
        word = (int)bits(k, pos, w) + carry;
        carry = (word >> (w - 1)) & 1;
        word -= carry << w;
        naf[pos] = (int8_t)word;
        pos += w;
    }
}

/* ---- ECDSA ---- */

fwv_result fwv_p256_verify(const uint8_t pub[65], const uint8_t digest[32], const uint8_t r[32],
                           const uint8_t s[32])
{
    jpoint q, acc, t2, qtab[4];
    fe rr, ss, e, t, w, u1, u2, z2;
    int8_t n1[257], n2[257];
    int i;

    if (!pub || !digest || !r || !s) return FWV_ERR_ARG;

    /* Q = (x, y): uncompressed, coordinates < p, and y^2 = x^3 - 3x + b */
    if (pub[0] != 0x04) return FWV_ERR_BAD_KEY;
    bn_from_be(q.x, pub + 1);
    bn_from_be(q.y, pub + 33);
    if (bn_geq(q.x, P) || bn_geq(q.y, P)) return FWV_ERR_BAD_KEY;
    fe_sqr(t, q.x);
    fe_mul(t, t, q.x);                   /* x^3 */
    fe_sub(t, t, q.x);
    fe_sub(t, t, q.x);
    fe_sub(t, t, q.x);                   /* x^3 - 3x */
    fe_add(t, t, B);                     /* x^3 - 3x + b */
    fe_sqr(w, q.y);                      /* y^2 */
    if (!bn_eq(t, w)) return FWV_ERR_BAD_KEY;
    memset(q.z, 0, sizeof q.z);
    q.z[0] = 1;

    /* 1 <= r, s < n */
    bn_from_be(rr, r);
    bn_from_be(ss, s);
    if (bn_is_zero(rr) || bn_is_zero(ss) || bn_geq(rr, N) || bn_geq(ss, N))
        return FWV_ERR_SIGNATURE;

    /* e = digest mod n (a 256-bit digest is below 2n, so one subtraction) */
    bn_from_be(e, digest);
    if (bn_geq(e, N)) bn_sub(e, e, N);

    /* w = s^-1 mod n (kept in Montgomery form: w R) */
    mn_mul(t, ss, R2N);                  /* s R */
    mn_inv(w, t);                        /* s^-1 R */
    mn_mul(u1, e, w);                    /* u1 = e s^-1 mod n */
    mn_mul(u2, rr, w);                   /* u2 = r s^-1 mod n */

    /*
     * acc = u1 G + u2 Q, both scalars at once (Shamir's trick) in width-w NAF: odd digits
     * |d| < 2^(w-1), at least w - 1 zeros between non-zero digits, so one addition per about
     * w + 1 doublings. G's odd multiples are a constant table (w = 5); Q's are made here (w = 4).
     */
    wnaf(n1, u1, 5);
    wnaf(n2, u2, 4);
    qtab[0] = q;
    pt_double(&t2, &q);                              /* 2Q */
    for (i = 1; i < 4; i++) pt_add(&qtab[i], &qtab[i - 1], &t2, 0);  /* 3Q, 5Q, 7Q */
    memset(&acc, 0, sizeof acc);
    for (i = 256; i >= 0; i--) {
        if (!bn_is_zero(acc.z)) pt_double(&acc, &acc);
        if (n1[i]) {
            int d = n1[i] < 0 ? -n1[i] : n1[i];
            memcpy(t2.x, GTAB[d >> 1][0], sizeof(fe));
            if (n1[i] > 0) memcpy(t2.y, GTAB[d >> 1][1], sizeof(fe));
            else bn_sub(t2.y, P, GTAB[d >> 1][1]);   /* -y = p - y (y != 0 on P-256) */
            pt_add(&acc, &acc, &t2, 1);
        }
        if (n2[i]) {
            int d = n2[i] < 0 ? -n2[i] : n2[i];
            t2 = qtab[d >> 1];
            if (n2[i] < 0) bn_sub(t2.y, P, t2.y);    /* -y; y = 0 cannot occur (odd order) */
            pt_add(&acc, &acc, &t2, 0);
        }
    }
    if (bn_is_zero(acc.z)) return FWV_ERR_SIGNATURE;

    /*
     * Accept iff x(acc) mod n == r. With x = X / Z^2 and x < p < 2n, that is X == r Z^2 or,
     * when r + n < p, X == (r + n) Z^2: no field inversion needed.
     */
    fe_sqr(z2, acc.z);
    fe_mul(t, rr, z2);
    if (bn_eq(t, acc.x)) return FWV_OK;
    if (!bn_add(t, rr, N) && !bn_geq(t, P)) {
        fe_mul(t, t, z2);
        if (bn_eq(t, acc.x)) return FWV_OK;
    }
    return FWV_ERR_SIGNATURE;
}
