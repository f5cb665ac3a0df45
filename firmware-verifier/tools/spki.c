/* PEM and SubjectPublicKeyInfo decoding for the host tool (libc allowed here, not in src/). */
#include <string.h>
#include "spki.h"

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* base64 body between the armour lines; whitespace skipped; returns bytes written or -1 */
static long pem_decode(const char *pem, size_t len, uint8_t *out, size_t cap)
{
    static const char begin[] = "-----BEGIN PUBLIC KEY-----", end[] = "-----END PUBLIC KEY-----";
    const char *p = NULL, *q;
    size_t i, n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (i = 0; i + sizeof begin - 1 <= len; i++)
        if (memcmp(pem + i, begin, sizeof begin - 1) == 0) {
            p = pem + i + sizeof begin - 1;
            break;
        }
    if (!p) return -1;
    for (q = p; q < pem + len; q++) {
        int v;
        if ((size_t)(pem + len - q) >= sizeof end - 1 && memcmp(q, end, sizeof end - 1) == 0) break;
        if (*q == '=' || *q == '\n' || *q == '\r' || *q == ' ' || *q == '\t') continue;
        v = b64val((unsigned char)*q);
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap) return -1;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    if (q >= pem + len) return -1;
    return (long)n;
}

/* reads a TLV with the given tag at d[*pos..end); sets *body, *blen; 0 on malformed input */
static int tlv(const uint8_t *d, size_t end, size_t *pos, uint8_t tag, size_t *body, size_t *blen)
{
    size_t p = *pos, n;
    if (end - p < 2 || d[p] != tag) return 0;
    n = d[p + 1];
    p += 2;
    if (n & 0x80) {
        size_t k = n & 0x7f;
        if (k == 0 || k > 2 || end - p < k) return 0;
        n = 0;
        while (k--) n = n << 8 | d[p++];
    }
    if (n > end - p) return 0;
    *body = p;
    *blen = n;
    *pos = p + n;
    return 1;
}

int fwv_spki_from_pem(const char *pem, size_t len, uint8_t key[FWV_TA_KEY_SIZE])
{
    static const uint8_t oid_ec[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
    static const uint8_t oid_p256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    static const uint8_t oid_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
    uint8_t der[2048];
    long dl = pem_decode(pem, len, der, sizeof der);
    size_t pos = 0, b, bl, algo_end, end, oid, oidl;
    if (dl < 0) return 0;
    memset(key, 0, FWV_TA_KEY_SIZE);
    if (!tlv(der, (size_t)dl, &pos, 0x30, &b, &bl) || pos != (size_t)dl) return 0;
    end = pos;
    pos = b;
    if (!tlv(der, end, &pos, 0x30, &b, &bl)) return 0;      /* AlgorithmIdentifier */
    algo_end = pos;
    pos = b;
    if (!tlv(der, algo_end, &pos, 0x06, &oid, &oidl)) return 0;
    if (oidl == sizeof oid_ec && memcmp(der + oid, oid_ec, oidl) == 0) {
        if (!tlv(der, algo_end, &pos, 0x06, &oid, &oidl) || oidl != sizeof oid_p256 ||
            memcmp(der + oid, oid_p256, oidl) != 0)
            return 0;
        pos = algo_end;
        /* BIT STRING: 0 unused bits, then the 65-byte uncompressed point */
        if (!tlv(der, end, &pos, 0x03, &b, &bl) || bl != 66 || der[b] != 0 || der[b + 1] != 4)
            return 0;
        memcpy(key, der + b + 1, 65);
        return FWV_KEY_EC_P256;
    }
    if (oidl == sizeof oid_rsa && memcmp(der + oid, oid_rsa, oidl) == 0) {
        size_t ks, kend, n, nl, e, el, i;
        uint32_t ev = 0;
        pos = algo_end;
        if (!tlv(der, end, &pos, 0x03, &b, &bl) || bl < 1 || der[b] != 0) return 0;
        kend = b + bl;
        pos = b + 1;
        if (!tlv(der, kend, &pos, 0x30, &ks, &bl)) return 0;  /* RSAPublicKey */
        pos = ks;
        if (!tlv(der, kend, &pos, 0x02, &n, &nl) || !tlv(der, kend, &pos, 0x02, &e, &el)) return 0;
        if (nl == 257 && der[n] == 0) {
            n++;
            nl--;
        }
        if (nl != 256 || !(der[n] & 0x80)) return 0;
        if (el == 0 || el > 4 || (der[e] & 0x80)) return 0;
        for (i = 0; i < el; i++) ev = ev << 8 | der[e + i];
        memcpy(key, der + n, 256);
        key[256] = (uint8_t)(ev >> 24);
        key[257] = (uint8_t)(ev >> 16);
        key[258] = (uint8_t)(ev >> 8);
        key[259] = (uint8_t)ev;
        return FWV_KEY_RSA_2048;
    }
    return 0;
}
