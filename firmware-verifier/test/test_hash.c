/* SHA-256 and SHA-1 known answers (FIPS 180-2 appendix examples), whole and in chunks. */
#include <string.h>
#include "check.h"

static void sha256_chunks(const uint8_t *m, size_t len, size_t chunk, uint8_t out[32])
{
    fwv_sha256_ctx c;
    size_t off = 0;
    fwv_sha256_init(&c);
    while (off < len) {
        size_t n = len - off < chunk ? len - off : chunk;
        fwv_sha256_update(&c, m + off, n);
        off += n;
    }
    fwv_sha256_final(&c, out);
}

static void sha1_chunks(const uint8_t *m, size_t len, size_t chunk, uint8_t out[20])
{
    fwv_sha1_ctx c;
    size_t off = 0;
    fwv_sha1_init(&c);
    while (off < len) {
        size_t n = len - off < chunk ? len - off : chunk;
        fwv_sha1_update(&c, m + off, n);
        off += n;
    }
    fwv_sha1_final(&c, out);
}

void test_hash(void)
{
    static const struct {
        const char *msg;
        const char *sha256, *sha1;
    } kat[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
         "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    };
    static const size_t chunks[] = {1, 3, 55, 56, 63, 64, 65, 1000000};
    static uint8_t million[1000000];
    uint8_t want[32], got[32];
    size_t i, k;

    for (i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        const uint8_t *m = (const uint8_t *)kat[i].msg;
        size_t len = strlen(kat[i].msg);
        for (k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
            fwv_test_unhex(kat[i].sha256, want, 32);
            sha256_chunks(m, len, chunks[k], got);
            CHECK(memcmp(want, got, 32) == 0, "SHA-256(\"%s\") in chunks of %zu", kat[i].msg, chunks[k]);
            fwv_test_unhex(kat[i].sha1, want, 20);
            sha1_chunks(m, len, chunks[k], got);
            CHECK(memcmp(want, got, 20) == 0, "SHA-1(\"%s\") in chunks of %zu", kat[i].msg, chunks[k]);
        }
    }
    /* one million 'a' */
    memset(million, 'a', sizeof million);
    for (k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        fwv_test_unhex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", want, 32);
        sha256_chunks(million, sizeof million, chunks[k], got);
        CHECK(memcmp(want, got, 32) == 0, "SHA-256(million a) in chunks of %zu", chunks[k]);
        fwv_test_unhex("34aa973cd4c4daa4f61eeb2bdbad27316534016f", want, 20);
        sha1_chunks(million, sizeof million, chunks[k], got);
        CHECK(memcmp(want, got, 20) == 0, "SHA-1(million a) in chunks of %zu", chunks[k]);
    }
    /* the 896-bit two-block message of FIPS 180-2 (SHA-256 only) crosses the padding boundary */
    {
        const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
        fwv_test_unhex("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", want, 32);
        sha256_chunks((const uint8_t *)m, strlen(m), 7, got);
        CHECK(memcmp(want, got, 32) == 0, "SHA-256(896-bit message)");
        fwv_test_unhex("a49b2446a02c645bf419f995b67091253a04a259", want, 20);
        sha1_chunks((const uint8_t *)m, strlen(m), 7, got);
        CHECK(memcmp(want, got, 20) == 0, "SHA-1(896-bit message)");
    }
}
