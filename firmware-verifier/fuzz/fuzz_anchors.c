/*
 * libFuzzer target: the trust-anchor table parser and the key checks behind it.
 * Input: one control byte, then the table. When the control byte is odd the harness reseals
 * the CRC where the header says it is, so the fuzzer gets past the CRC into the entries.
 * Properties: results are FWV_OK or FWV_ERR_ANCHOR_TABLE / FWV_ERR_UNKNOWN_ANCHOR; an accepted
 * table's anchors lie inside the input; a fuzzed key is refused or verified, never a crash.
 */
#include <stdlib.h>
#include <string.h>
#include "fwv/anchors.h"
#include "fwv/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t ecsig[8] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
    uint8_t rsasig[256], digest[32] = {0};
    uint8_t *t;
    size_t n;
    uint16_t count = 0, i;
    fwv_anchor a;
    fwv_result res;

    if (size < 1) return 0;
    n = size - 1;
    t = malloc(n ? n : 1);  /* exact size: ASan reports any read past the table */
    if (!t) return 0;
    memcpy(t, data + 1, n);
    if ((data[0] & 1) && n >= FWV_TA_HEADER_SIZE + FWV_TA_CRC_SIZE) {
        uint32_t total = (uint32_t)t[8] | (uint32_t)t[9] << 8 | (uint32_t)t[10] << 16 |
                         (uint32_t)t[11] << 24;
        if (total >= FWV_TA_HEADER_SIZE + FWV_TA_CRC_SIZE && total <= n) {
            uint32_t crc = fwv_crc32(t, total - FWV_TA_CRC_SIZE);
            t[total - 4] = (uint8_t)crc;
            t[total - 3] = (uint8_t)(crc >> 8);
            t[total - 2] = (uint8_t)(crc >> 16);
            t[total - 1] = (uint8_t)(crc >> 24);
        }
    }
    res = fwv_anchors_check(t, n, &count);
    if (res == FWV_OK) {
        if (count == 0 || count > FWV_TA_MAX_ENTRIES) abort();
        if ((size_t)FWV_TA_HEADER_SIZE + count * FWV_TA_ENTRY_SIZE + FWV_TA_CRC_SIZE > n) abort();
        memset(rsasig, 0x5a, sizeof rsasig);
        for (i = 0; i < count; i++) {
            if (fwv_anchors_get(t, n, i, &a) != FWV_OK) abort();
            if (a.key < t || a.key + FWV_TA_KEY_SIZE > t + n) abort();
            if (a.name_len == 0 || a.name_len >= FWV_TA_NAME_SIZE) abort();
            /* a fuzzed key goes through the real checks: refused, never verified by chance */
            if (a.key_type == FWV_KEY_EC_P256)
                res = fwv_verify_digest(FWV_ALG_SHA256_ECDSA, &a, digest, ecsig, sizeof ecsig);
            else
                res = fwv_verify_digest(FWV_ALG_SHA1_RSA, &a, digest, rsasig, sizeof rsasig);
            if (res == FWV_OK || res == FWV_ERR_ARG) abort();
        }
        res = fwv_anchors_find(t, n, "/certs/codesign.crt", 19, &a);
        if (res != FWV_OK && res != FWV_ERR_UNKNOWN_ANCHOR) abort();
    } else if (res != FWV_ERR_ANCHOR_TABLE) {
        abort();
    }
    free(t);
    return 0;
}
