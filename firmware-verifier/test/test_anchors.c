/* Trust-anchor table: CRC, lookup, and every kind of corruption refused. */
#include <string.h>
#include "check.h"
#include "fixtures.h"

#define TOTAL2 (FWV_TA_HEADER_SIZE + 2 * FWV_TA_ENTRY_SIZE + FWV_TA_CRC_SIZE)

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void reseal(uint8_t *t, size_t total)
{
    put32(t + total - FWV_TA_CRC_SIZE, fwv_crc32(t, total - FWV_TA_CRC_SIZE));
}

static void entry(uint8_t *e, uint8_t type, const char *name, const char *keyhex)
{
    size_t i;
    e[FWV_TA_ENTRY_KEY_TYPE_OFFSET] = type;
    e[FWV_TA_ENTRY_NAME_LENGTH_OFFSET] = (uint8_t)strlen(name);
    memcpy(e + FWV_TA_ENTRY_NAME_OFFSET, name, strlen(name));
    for (i = 0; i < 32; i++) e[FWV_TA_ENTRY_CERT_SHA256_OFFSET + i] = (uint8_t)(0xa0 + i);
    fwv_test_unhex(keyhex, e + FWV_TA_ENTRY_KEY_OFFSET, FWV_TA_KEY_SIZE);
}

/* two anchors: an EC key and an RSA key (modulus then e = 65537) */
static void build(uint8_t t[TOTAL2])
{
    memset(t, 0, TOTAL2);
    put32(t + FWV_TA_HDR_MAGIC_OFFSET, FWV_TA_MAGIC);
    t[FWV_TA_HDR_VERSION_OFFSET] = FWV_TA_VERSION;
    t[FWV_TA_HDR_COUNT_OFFSET] = 2;
    put32(t + FWV_TA_HDR_TOTAL_LENGTH_OFFSET, TOTAL2);
    entry(t + FWV_TA_HEADER_SIZE, FWV_KEY_EC_P256, "/certs/ec.crt", WP_EC_PUB);
    entry(t + FWV_TA_HEADER_SIZE + FWV_TA_ENTRY_SIZE, FWV_KEY_RSA_2048, "/certs/codesign.crt",
          WP_RSA_MOD "00010001");
    reseal(t, TOTAL2);
}

void test_anchors(void)
{
    static uint8_t t[TOTAL2 + 16];
    fwv_anchor a;
    uint16_t count = 0;
    size_t i, len;
    int bit;
    fwv_result r;

    CHECK(fwv_crc32((const uint8_t *)"123456789", 9) == 0xcbf43926u, "CRC-32 check value");

    build(t);
    r = fwv_anchors_check(t, TOTAL2, &count);
    CHECK_RES(r, FWV_OK, "well-formed table");
    CHECK(count == 2, "count: expected 2, got %u", count);
    CHECK_RES(fwv_anchors_check(t, sizeof t, NULL), FWV_OK, "table followed by spare bytes");

    r = fwv_anchors_find(t, TOTAL2, "/certs/codesign.crt", 19, &a);
    CHECK_RES(r, FWV_OK, "find /certs/codesign.crt");
    CHECK(r == FWV_OK && a.key_type == FWV_KEY_RSA_2048 && a.name_len == 19 &&
              a.key == t + FWV_TA_HEADER_SIZE + FWV_TA_ENTRY_SIZE + FWV_TA_ENTRY_KEY_OFFSET &&
              a.cert_sha256[0] == 0xa0 && a.key[259] == 0x01,
          "RSA anchor fields");
    r = fwv_anchors_find(t, TOTAL2, "/certs/ec.crt", 13, &a);
    CHECK(r == FWV_OK && a.key_type == FWV_KEY_EC_P256 && a.key[0] == 0x04, "find EC anchor");
    CHECK_RES(fwv_anchors_find(t, TOTAL2, "/certs/ec.cr", 12, &a), FWV_ERR_UNKNOWN_ANCHOR, "prefix of a name");
    CHECK_RES(fwv_anchors_find(t, TOTAL2, "/certs/ec.crtx", 14, &a), FWV_ERR_UNKNOWN_ANCHOR, "name plus a byte");
    CHECK_RES(fwv_anchors_find(t, TOTAL2, "", 0, &a), FWV_ERR_UNKNOWN_ANCHOR, "empty name");
    CHECK_RES(fwv_anchors_find(t, TOTAL2, NULL, 3, &a), FWV_ERR_ARG, "NULL name");
    CHECK_RES(fwv_anchors_check(NULL, 0, NULL), FWV_ERR_ARG, "NULL table");
    CHECK_RES(fwv_anchors_get(t, TOTAL2, 1, &a), FWV_OK, "get entry 1");
    CHECK_RES(fwv_anchors_get(t, TOTAL2, 2, &a), FWV_ERR_ARG, "get entry 2 of 2");

    /* every single-bit flip anywhere in the table is caught (the CRC covers everything) */
    for (i = 0; i < TOTAL2; i++) {
        for (bit = 0; bit < 8; bit++) {
            t[i] ^= (uint8_t)(1u << bit);
            r = fwv_anchors_check(t, TOTAL2, NULL);
            CHECK(r == FWV_ERR_ANCHOR_TABLE, "bit %d of byte %zu flipped: got %s", bit, i, fwv_result_name(r));
            t[i] ^= (uint8_t)(1u << bit);
        }
    }
    /* every truncation is refused */
    for (len = 0; len < TOTAL2; len++) {
        r = fwv_anchors_find(t, len, "/certs/ec.crt", 13, &a);
        CHECK(r == FWV_ERR_ANCHOR_TABLE, "table cut to %zu bytes: got %s", len, fwv_result_name(r));
    }
    /* fields that are wrong though the CRC matches */
    t[FWV_TA_HDR_VERSION_OFFSET] = 2;
    reseal(t, TOTAL2);
    CHECK_RES(fwv_anchors_check(t, TOTAL2, NULL), FWV_ERR_ANCHOR_TABLE, "version 2");
    build(t);
    t[FWV_TA_HDR_COUNT_OFFSET] = 0;
    reseal(t, TOTAL2);
    CHECK_RES(fwv_anchors_check(t, TOTAL2, NULL), FWV_ERR_ANCHOR_TABLE, "count 0");
    build(t);
    t[FWV_TA_HDR_COUNT_OFFSET] = 1;
    reseal(t, TOTAL2);
    CHECK_RES(fwv_anchors_check(t, TOTAL2, NULL), FWV_ERR_ANCHOR_TABLE, "count disagrees with length");
    build(t);
    t[FWV_TA_HDR_COUNT_OFFSET] = FWV_TA_MAX_ENTRIES + 1;
    reseal(t, TOTAL2);
    CHECK_RES(fwv_anchors_check(t, TOTAL2, NULL), FWV_ERR_ANCHOR_TABLE, "count over the maximum");
    build(t);
    t[FWV_TA_HEADER_SIZE + FWV_TA_ENTRY_KEY_TYPE_OFFSET] = 3;
    reseal(t, TOTAL2);
    CHECK_RES(fwv_anchors_check(t, TOTAL2, NULL), FWV_ERR_ANCHOR_TABLE, "unknown key type");
    build(t);
    t[FWV_TA_HEADER_SIZE + FWV_TA_ENTRY_NAME_LENGTH_OFFSET] = 0;
    reseal(t, TOTAL2);
    CHECK_RES(fwv_anchors_check(t, TOTAL2, NULL), FWV_ERR_ANCHOR_TABLE, "name length 0");
    build(t);
    t[FWV_TA_HEADER_SIZE + FWV_TA_ENTRY_NAME_LENGTH_OFFSET] = FWV_TA_NAME_SIZE;
    reseal(t, TOTAL2);
    CHECK_RES(fwv_anchors_check(t, TOTAL2, NULL), FWV_ERR_ANCHOR_TABLE, "name length 64");
    build(t);
}
