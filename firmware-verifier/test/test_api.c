/* The public entry points: streaming states, limits, algorithm and key checks, names. */
#include <string.h>
#include "check.h"
#include "fixtures.h"

static void ec_anchor(fwv_anchor *a, uint8_t key[FWV_TA_KEY_SIZE])
{
    memset(key, 0, FWV_TA_KEY_SIZE);
    fwv_test_unhex(WP_EC_PUB, key, FWV_TA_KEY_SIZE);
    a->key_type = FWV_KEY_EC_P256;
    a->name_len = 0;
    a->name = key;
    a->cert_sha256 = key;
    a->key = key;
}

static void rsa_anchor(fwv_anchor *a, uint8_t key[FWV_TA_KEY_SIZE], uint32_t e)
{
    fwv_test_unhex(WP_RSA_MOD, key, FWV_TA_KEY_SIZE);
    key[256] = (uint8_t)(e >> 24);
    key[257] = (uint8_t)(e >> 16);
    key[258] = (uint8_t)(e >> 8);
    key[259] = (uint8_t)e;
    a->key_type = FWV_KEY_RSA_2048;
    a->name_len = 0;
    a->name = key;
    a->cert_sha256 = key;
    a->key = key;
}

void test_api(void)
{
    uint8_t eckey[FWV_TA_KEY_SIZE], rsakey[FWV_TA_KEY_SIZE], ecsig[80], rsasig[256], zeros[64];
    size_t eclen;
    fwv_anchor ec, rsa;
    fwv_verify_ctx v;
    int i;

    memset(zeros, 0, sizeof zeros);
    ec_anchor(&ec, eckey);
    rsa_anchor(&rsa, rsakey, 65537);
    eclen = fwv_test_unhex(WP_EC_SIG, ecsig, sizeof ecsig);
    fwv_test_unhex(WP_RSA_SIG, rsasig, sizeof rsasig);

    /* names */
    CHECK(fwv_alg_from_name("sig-sha256-ecdsa", 16) == FWV_ALG_SHA256_ECDSA, "sig-sha256-ecdsa");
    CHECK(fwv_alg_from_name("sig-sha1-rsa", 12) == FWV_ALG_SHA1_RSA, "sig-sha1-rsa");
    CHECK(fwv_alg_from_name("sig-sha1-rsa", 11) == 0, "truncated name");
    CHECK(fwv_alg_from_name("sig-sha1-rsax", 13) == 0, "longer name");
    CHECK(fwv_alg_from_name("sig-sha256-rsa", 14) == 0, "unsupported name");
    CHECK(fwv_alg_from_name(NULL, 0) == 0, "NULL name");
    CHECK(strcmp(fwv_result_name(FWV_OK), "FWV_OK") == 0, "name of FWV_OK");
    CHECK(strcmp(fwv_result_name(FWV_ERR_DER), "FWV_ERR_DER") == 0, "name of FWV_ERR_DER");
    CHECK(strcmp(fwv_result_name((fwv_result)99), "FWV_ERR_?") == 0, "name out of range");
    CHECK(strcmp(fwv_result_text(FWV_ERR_SIGNATURE), "signature does not match the image and key") == 0,
          "text of FWV_ERR_SIGNATURE");
    for (i = 0; i < FWV_RESULT_COUNT; i++)
        CHECK(strncmp(fwv_result_name((fwv_result)i), "FWV_", 4) == 0 && fwv_result_text((fwv_result)i)[0],
              "name and text of code %d", i);

    /* the happy paths, one-shot */
    CHECK_RES(fwv_verify_init(&v, FWV_ALG_SHA256_ECDSA, 0), FWV_OK, "init ECDSA, max 0");
    CHECK_RES(fwv_verify_final(&v, &ec, ecsig, eclen), FWV_OK, "Wycheproof ECDSA tcId 1 (empty image)");
    CHECK_RES(fwv_verify_init(&v, FWV_ALG_SHA1_RSA, 20), FWV_OK, "init RSA");
    CHECK_RES(fwv_verify_update(&v, zeros, 20), FWV_OK, "update 20 bytes, max 20");
    CHECK_RES(fwv_verify_final(&v, &rsa, rsasig, 256), FWV_OK, "Wycheproof RSA SHA-1 tcId 66");

    /* order of calls */
    CHECK_RES(fwv_verify_update(&v, zeros, 1), FWV_ERR_STATE, "update after final");
    CHECK_RES(fwv_verify_final(&v, &rsa, rsasig, 256), FWV_ERR_STATE, "final twice");
    memset(&v, 0, sizeof v);
    CHECK_RES(fwv_verify_update(&v, zeros, 1), FWV_ERR_STATE, "update before init");
    CHECK_RES(fwv_verify_init(&v, 7, 10), FWV_ERR_UNKNOWN_ALG, "init with unknown alg");
    CHECK_RES(fwv_verify_final(&v, &ec, ecsig, eclen), FWV_ERR_STATE, "final after failed init");
    CHECK_RES(fwv_verify_init(NULL, FWV_ALG_SHA1_RSA, 10), FWV_ERR_ARG, "NULL ctx");

    /* size limit: exactly max_length is fine, one byte more is refused for good */
    fwv_verify_init(&v, FWV_ALG_SHA1_RSA, 20);
    CHECK_RES(fwv_verify_update(&v, zeros, 19), FWV_OK, "19 of 20");
    CHECK_RES(fwv_verify_update(&v, zeros, 2), FWV_ERR_TOO_LARGE, "21 of 20");
    CHECK_RES(fwv_verify_update(&v, zeros, 1), FWV_ERR_TOO_LARGE, "after too large");
    CHECK_RES(fwv_verify_final(&v, &rsa, rsasig, 256), FWV_ERR_TOO_LARGE, "final after too large");
    CHECK_RES(fwv_verify_init(&v, FWV_ALG_SHA1_RSA, 20), FWV_OK, "init again");
    CHECK_RES(fwv_verify_update(&v, NULL, 0), FWV_OK, "empty update");
    CHECK_RES(fwv_verify_update(&v, NULL, 1), FWV_ERR_ARG, "NULL data");

    /* key type and signature shape */
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA1_RSA, &ec, zeros, rsasig, 256), FWV_ERR_ALG_MISMATCH, "RSA alg, EC key");
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA256_ECDSA, &rsa, zeros, ecsig, eclen), FWV_ERR_ALG_MISMATCH, "ECDSA alg, RSA key");
    CHECK_RES(fwv_verify_digest(9, &rsa, zeros, ecsig, eclen), FWV_ERR_UNKNOWN_ALG, "unknown alg");
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA1_RSA, &rsa, zeros, rsasig, 255), FWV_ERR_BAD_LENGTH, "255-byte RSA signature");
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA1_RSA, &rsa, zeros, rsasig, 257), FWV_ERR_BAD_LENGTH, "257-byte RSA signature");
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA256_ECDSA, &ec, zeros, ecsig, 0), FWV_ERR_DER, "empty ECDSA signature");
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA256_ECDSA, &ec, zeros, NULL, 0), FWV_ERR_DER, "NULL empty signature");
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA256_ECDSA, NULL, zeros, ecsig, eclen), FWV_ERR_ARG, "NULL anchor");
    rsa_anchor(&rsa, rsakey, 3);
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA1_RSA, &rsa, zeros, rsasig, 256), FWV_ERR_BAD_KEY, "RSA key with e = 3");
    rsa_anchor(&rsa, rsakey, 65537);
    rsakey[0] &= 0x7f;
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA1_RSA, &rsa, zeros, rsasig, 256), FWV_ERR_BAD_KEY, "RSA modulus under 2048 bits");
    rsa_anchor(&rsa, rsakey, 65537);
    rsakey[255] &= 0xfe;
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA1_RSA, &rsa, zeros, rsasig, 256), FWV_ERR_BAD_KEY, "even RSA modulus");
    eckey[0] = 0x02;
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA256_ECDSA, &ec, zeros, ecsig, eclen), FWV_ERR_BAD_KEY, "compressed EC point");
    ec_anchor(&ec, eckey);
    eckey[64] ^= 1;
    CHECK_RES(fwv_verify_digest(FWV_ALG_SHA256_ECDSA, &ec, zeros, ecsig, eclen), FWV_ERR_BAD_KEY, "point off the curve");

    /* r or s out of range: 0, n, and n + 1 (all strict DER) */
    {
        static const char *const sigs[] = {
            "3006020100020101",
            "3006020101020100",
            "3026020101022100ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
            "3026022100ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632552020101",
        };
        uint8_t s[80];
        size_t k, n;
        ec_anchor(&ec, eckey);
        for (k = 0; k < 4; k++) {
            n = fwv_test_unhex(sigs[k], s, sizeof s);
            CHECK_RES(fwv_verify_digest(FWV_ALG_SHA256_ECDSA, &ec, zeros, s, n), FWV_ERR_SIGNATURE, sigs[k]);
        }
    }
}
