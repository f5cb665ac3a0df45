/*
 * Runs the vector files gen_vectors.py writes (Wycheproof, NIST CAVP, OpenSSL CLI), one case a
 * line; see gen_vectors.py for the format. Through the public API wherever the case fits it.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "fwv/rsa.h"

#define MAXMSG 8192

static uint8_t msg[MAXMSG], sig[8192], key[FWV_TA_KEY_SIZE], table[4096];
static char line[40000];

static int expect_ok(const char *want, fwv_result got)
{
    if (strcmp(want, "ok") == 0) return got == FWV_OK;
    if (strcmp(want, "fail") == 0) return got != FWV_OK;
    return strcmp(want, fwv_result_name(got)) == 0;
}

/* the whole image through init/update/final in chunks of `chunk` bytes */
static fwv_result run(int alg, const fwv_anchor *a, const uint8_t *m, size_t len, size_t chunk,
                      const uint8_t *s, size_t slen)
{
    fwv_verify_ctx v;
    size_t off = 0;
    fwv_result r = fwv_verify_init(&v, alg, (uint32_t)len);
    if (r != FWV_OK) return r;
    while (off < len) {
        size_t n = len - off < chunk ? len - off : chunk;
        r = fwv_verify_update(&v, m + off, n);
        if (r != FWV_OK) return r;
        off += n;
    }
    return fwv_verify_final(&v, a, s, slen);
}

static void stream_and_flip(const char *id, int alg, const fwv_anchor *a, uint8_t *k, size_t klen,
                            size_t mlen, size_t slen, const char *flags)
{
    static const size_t chunks[] = {1, 3, 63, 64, 65, 127, 4096};
    size_t i, c;
    fwv_result r;
    if (strstr(flags, "stream")) {
        for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            r = run(alg, a, msg, mlen, chunks[c], sig, slen);
            CHECK_RES(r, FWV_OK, id);
        }
    }
    if (!strstr(flags, "flip")) return;
    /* every single-bit flip of signature, image and public key is refused */
    for (i = 0; i < 8 * slen; i++) {
        sig[i / 8] ^= (uint8_t)(1u << (i % 8));
        r = run(alg, a, msg, mlen, 64, sig, slen);
        CHECK(r != FWV_OK, "%s: signature bit %zu flipped yet verified", id, i);
        sig[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    for (i = 0; i < 8 * mlen; i++) {
        msg[i / 8] ^= (uint8_t)(1u << (i % 8));
        r = run(alg, a, msg, mlen, 64, sig, slen);
        CHECK(r != FWV_OK, "%s: image bit %zu flipped yet verified", id, i);
        msg[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    for (i = 0; i < 8 * klen; i++) {
        k[i / 8] ^= (uint8_t)(1u << (i % 8));
        r = run(alg, a, msg, mlen, 64, sig, slen);
        CHECK(r != FWV_OK, "%s: key bit %zu flipped yet verified", id, i);
        k[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    r = run(alg, a, msg, mlen, 64, sig, slen);
    CHECK_RES(r, FWV_OK, "after the flips");
}

static void ecdsa_case(char **f)
{
    const char *id = f[1], *want = f[5], *flags = f[6];
    size_t mlen, slen;
    fwv_anchor a;
    fwv_result r;
    memset(key, 0, sizeof key);
    if (fwv_test_unhex(f[2], key, sizeof key) != 65) {
        fprintf(stderr, "%s: bad key\n", id);
        exit(2);
    }
    mlen = fwv_test_unhex(f[3], msg, sizeof msg);
    slen = fwv_test_unhex(f[4], sig, sizeof sig);
    a.key_type = FWV_KEY_EC_P256;
    a.name_len = 0;
    a.name = a.cert_sha256 = a.key = key;
    r = run(FWV_ALG_SHA256_ECDSA, &a, msg, mlen, mlen ? mlen : 1, sig, slen);
    CHECK(expect_ok(want, r), "%s: expected %s, got %s", id, want, fwv_result_name(r));
    stream_and_flip(id, FWV_ALG_SHA256_ECDSA, &a, key, 65, mlen, slen, flags);
}

static void rsa_case(char **f)
{
    const char *id = f[1], *hash = f[2], *want = f[7], *flags = f[8];
    size_t modlen, mlen, slen;
    unsigned long e = strtoul(f[4], NULL, 10);
    uint8_t digest[32];
    fwv_result r;
    memset(key, 0, sizeof key);
    modlen = fwv_test_unhex(f[3], key, 256);
    mlen = fwv_test_unhex(f[5], msg, sizeof msg);
    slen = fwv_test_unhex(f[6], sig, sizeof sig);
    if (modlen != 256) {
        fprintf(stderr, "%s: modulus of %zu bytes\n", id, modlen);
        exit(2);
    }
    if (strcmp(hash, "sha1") == 0) {
        fwv_sha1_ctx c;
        fwv_sha1_init(&c);
        fwv_sha1_update(&c, msg, mlen);
        fwv_sha1_final(&c, digest);
    } else {
        fwv_sha256_ctx c;
        fwv_sha256_init(&c);
        fwv_sha256_update(&c, msg, mlen);
        fwv_sha256_final(&c, digest);
    }
    /* the core, for any exponent and both hashes; a wrong-length signature is refused as the
     * device would (fwv_verify_* checks the length before the core) */
    if (slen != 256) r = FWV_ERR_BAD_LENGTH;
    else if (strcmp(hash, "sha1") == 0)
        r = fwv_rsa2048_verify(key, (uint32_t)e, sig, fwv_rsa_sha1_prefix, 15, digest, 20);
    else
        r = fwv_rsa2048_verify(key, (uint32_t)e, sig, fwv_rsa_sha256_prefix, 19, digest, 32);
    CHECK(expect_ok(want, r), "%s: expected %s, got %s", id, want, fwv_result_name(r));
    /* and the device's path where it applies: SHA-1 with e = 65537 */
    if (strcmp(hash, "sha1") == 0 && e == 65537) {
        fwv_anchor a;
        fwv_result r2;
        key[256] = 0;
        key[257] = 1;
        key[258] = 0;
        key[259] = 1;
        a.key_type = FWV_KEY_RSA_2048;
        a.name_len = 0;
        a.name = a.cert_sha256 = a.key = key;
        r2 = run(FWV_ALG_SHA1_RSA, &a, msg, mlen, mlen ? mlen : 1, sig, slen);
        CHECK((r2 == FWV_OK) == (r == FWV_OK), "%s: API says %s, core says %s", id,
              fwv_result_name(r2), fwv_result_name(r));
        stream_and_flip(id, FWV_ALG_SHA1_RSA, &a, key, 260, mlen, slen, flags);
    }
}

/* a table written by gen_vectors.py from protocol.json's layout: the C side must read it */
static void table_case(char **f)
{
    const char *id = f[1], *name = f[3], *want = f[7];
    size_t tlen = fwv_test_unhex(f[2], table, sizeof table), mlen, slen;
    int alg = fwv_alg_from_name(f[4], strlen(f[4]));
    fwv_anchor a;
    fwv_result r;
    mlen = fwv_test_unhex(f[5], msg, sizeof msg);
    slen = fwv_test_unhex(f[6], sig, sizeof sig);
    r = fwv_anchors_find(table, tlen, name, strlen(name), &a);
    if (r == FWV_OK) r = run(alg, &a, msg, mlen, 100, sig, slen);
    CHECK(expect_ok(want, r), "%s: expected %s, got %s", id, want, fwv_result_name(r));
}

void test_vector_file(const char *path)
{
    FILE *fp = fopen(path, "r");
    long before = fwv_test_passed + fwv_test_failed, cases = 0;
    if (!fp) {
        fprintf(stderr, "fwv-test: cannot open %s\n", path);
        exit(2);
    }
    while (fgets(line, sizeof line, fp)) {
        char *f[10];
        int n = 0;
        char *tok = strtok(line, " \n");
        while (tok && n < 10) {
            f[n++] = tok;
            tok = strtok(NULL, " \n");
        }
        if (n == 0) continue;
        cases++;
        if (strcmp(f[0], "ecdsa") == 0 && n == 7) ecdsa_case(f);
        else if (strcmp(f[0], "rsa") == 0 && n == 9) rsa_case(f);
        else if (strcmp(f[0], "table") == 0 && n == 8) table_case(f);
        else {
            fprintf(stderr, "fwv-test: %s: malformed line %ld\n", path, cases);
            exit(2);
        }
    }
    fclose(fp);
    printf("fwv-test: %s: %ld cases, %ld checks\n", path, cases,
           fwv_test_passed + fwv_test_failed - before);
}
