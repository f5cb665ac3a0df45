/*
 * The vector files on the emulated Cortex-M4 (QEMU mps2-an386): the -O2 Thumb-2 build with the
 * UMAAL instruction, where the host tests run its portable C twin. Images are hashed through
 * the streaming API in 61-byte chunks. Prints "m4: N passed, M failed" over semihosting.
 */
#include <string.h>
#include "bench.h"
#include "fwv/verify.h"
#include "fwv/rsa.h"
#include "m4_vectors.h"

static void put_u(unsigned v)
{
    char b[12];
    int i = 11;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    bench_puts(b + i);
}

static fwv_result run(const struct m4_case *c)
{
    static uint8_t key[FWV_TA_KEY_SIZE];
    uint8_t digest[32];
    fwv_anchor a;
    fwv_verify_ctx v;
    uint32_t off;
    int alg = c->kind == 1 ? FWV_ALG_SHA256_ECDSA : FWV_ALG_SHA1_RSA;
    fwv_result r;

    if (c->kind == 3 || (c->kind == 2 && c->e != 65537)) {
        /* the core directly: SHA-256 DigestInfo, or NIST's exponents other than 65537 */
        fwv_sha256_ctx s2;
        fwv_sha1_ctx s1;
        if (c->sig_len != 256 || c->key_len != 256) return FWV_ERR_BAD_LENGTH;
        if (c->kind == 3) {
            fwv_sha256_init(&s2);
            fwv_sha256_update(&s2, c->msg, c->msg_len);
            fwv_sha256_final(&s2, digest);
            return fwv_rsa2048_verify(c->key, c->e, c->sig, fwv_rsa_sha256_prefix, 19, digest, 32);
        }
        fwv_sha1_init(&s1);
        fwv_sha1_update(&s1, c->msg, c->msg_len);
        fwv_sha1_final(&s1, digest);
        return fwv_rsa2048_verify(c->key, c->e, c->sig, fwv_rsa_sha1_prefix, 15, digest, 20);
    }
    memset(key, 0, sizeof key);
    memcpy(key, c->key, c->key_len);
    if (c->kind == 2) { /* e = 65537 */
        key[257] = 1;
        key[259] = 1;
    }
    a.key_type = c->kind == 1 ? FWV_KEY_EC_P256 : FWV_KEY_RSA_2048;
    a.name_len = 0;
    a.name = a.cert_sha256 = a.key = key;
    r = fwv_verify_init(&v, alg, c->msg_len);
    for (off = 0; r == FWV_OK && off < c->msg_len; off += 61)
        r = fwv_verify_update(&v, c->msg + off, c->msg_len - off < 61 ? c->msg_len - off : 61);
    if (r != FWV_OK) return r;
    return fwv_verify_final(&v, &a, c->sig, c->sig_len);
}

int main(void)
{
    unsigned i, passed = 0, failed = 0;
    for (i = 0; i < m4_case_count; i++) {
        const struct m4_case *c = &m4_cases[i];
        fwv_result r = run(c);
        int ok = c->expect == -1   ? r == FWV_OK
                 : c->expect == -2 ? r != FWV_OK
                                   : (int)r == c->expect;
        if (ok) {
            passed++;
        } else {
            failed++;
            bench_puts("FAIL m4 ");
            bench_puts(c->id);
            bench_puts(": got ");
            bench_puts(fwv_result_name(r));
            bench_puts("\n");
        }
    }
    bench_puts("m4: ");
    put_u(passed);
    bench_puts(" passed, ");
    put_u(failed);
    bench_puts(" failed\n");
    return failed ? 1 : 0;
}
