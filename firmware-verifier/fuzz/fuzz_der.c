/*
 * libFuzzer target: the strict DER signature parser, then the verifier behind it.
 * Properties: the parser returns FWV_OK or FWV_ERR_DER only; what it accepts is the unique
 * canonical encoding of (r, s) (re-encoding gives back the input byte for byte); a signature it
 * accepts reaches P-256 and never comes back as a DER error. ASan catches any read past the input.
 */
#include <stdlib.h>
#include <string.h>
#include "fwv/der.h"
#include "fwv/verify.h"

/* P-256's generator as the public key: any valid point will do */
static const uint8_t G[65] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40,
    0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2,
    0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e,
    0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51,
    0xf5};

static size_t put_int(uint8_t *out, const uint8_t v[32])
{
    size_t i = 0, n;
    while (i < 31 && v[i] == 0) i++;
    n = 32 - i;
    out[0] = 0x02;
    if (v[i] & 0x80) {
        out[1] = (uint8_t)(n + 1);
        out[2] = 0;
        memcpy(out + 3, v + i, n);
        return n + 3;
    }
    out[1] = (uint8_t)n;
    memcpy(out + 2, v + i, n);
    return n + 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t r[32], s[32], enc[80], digest[32] = {0};
    size_t n;
    fwv_anchor a;
    fwv_result res = fwv_der_ecdsa_sig_to_raw(data, size, r, s);
    if (res == FWV_ERR_DER) return 0;
    if (res != FWV_OK) abort();
    n = put_int(enc + 2, r);
    n += put_int(enc + 2 + n, s);
    enc[0] = 0x30;
    enc[1] = (uint8_t)n;
    if (n + 2 != size || memcmp(enc, data, size) != 0) abort();
    a.key_type = FWV_KEY_EC_P256;
    a.name_len = 0;
    a.name = a.cert_sha256 = a.key = G;
    res = fwv_verify_digest(FWV_ALG_SHA256_ECDSA, &a, digest, data, size);
    if (res != FWV_OK && res != FWV_ERR_SIGNATURE) abort();
    return 0;
}
