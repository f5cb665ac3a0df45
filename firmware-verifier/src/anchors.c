/* Trust-anchor table parser. Layout from protocol.h (generated from protocol.json). */
#include "fwv/anchors.h"

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t fwv_crc32(const uint8_t *d, size_t n)
{
    /* bitwise rather than a 1 KiB table: the table is checked once per boot */
    uint32_t crc = 0xffffffffu;
    while (n--) {
        int k;
        crc ^= *d++;
        for (k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xffffffffu;
}

fwv_result fwv_anchors_check(const uint8_t *table, size_t len, uint16_t *count)
{
    uint32_t n, total, i;
    if (!table) return FWV_ERR_ARG;
    if (len < FWV_TA_HEADER_SIZE + FWV_TA_CRC_SIZE) return FWV_ERR_ANCHOR_TABLE;
    if (le32(table + FWV_TA_HDR_MAGIC_OFFSET) != FWV_TA_MAGIC) return FWV_ERR_ANCHOR_TABLE;
    if (le16(table + FWV_TA_HDR_VERSION_OFFSET) != FWV_TA_VERSION) return FWV_ERR_ANCHOR_TABLE;
    n = le16(table + FWV_TA_HDR_COUNT_OFFSET);
    if (n == 0 || n > FWV_TA_MAX_ENTRIES) return FWV_ERR_ANCHOR_TABLE;
    /* count is bounded first, so this cannot overflow */
    total = FWV_TA_HEADER_SIZE + n * FWV_TA_ENTRY_SIZE + FWV_TA_CRC_SIZE;
    if (le32(table + FWV_TA_HDR_TOTAL_LENGTH_OFFSET) != total || total > len)
        return FWV_ERR_ANCHOR_TABLE;
    if (fwv_crc32(table, total - FWV_TA_CRC_SIZE) != le32(table + total - FWV_TA_CRC_SIZE))
        return FWV_ERR_ANCHOR_TABLE;
    for (i = 0; i < n; i++) {
        const uint8_t *e = table + FWV_TA_HEADER_SIZE + i * FWV_TA_ENTRY_SIZE;
        uint8_t kt = e[FWV_TA_ENTRY_KEY_TYPE_OFFSET], nl = e[FWV_TA_ENTRY_NAME_LENGTH_OFFSET];
        if (kt != FWV_KEY_EC_P256 && kt != FWV_KEY_RSA_2048) return FWV_ERR_ANCHOR_TABLE;
        if (nl == 0 || nl >= FWV_TA_NAME_SIZE) return FWV_ERR_ANCHOR_TABLE;
    }
    if (count) *count = (uint16_t)n;
    return FWV_OK;
}

static void entry(const uint8_t *table, uint16_t index, fwv_anchor *out)
{
    const uint8_t *e = table + FWV_TA_HEADER_SIZE + (size_t)index * FWV_TA_ENTRY_SIZE;
    out->key_type = e[FWV_TA_ENTRY_KEY_TYPE_OFFSET];
    out->name_len = e[FWV_TA_ENTRY_NAME_LENGTH_OFFSET];
    out->name = e + FWV_TA_ENTRY_NAME_OFFSET;
    out->cert_sha256 = e + FWV_TA_ENTRY_CERT_SHA256_OFFSET;
    out->key = e + FWV_TA_ENTRY_KEY_OFFSET;
}

fwv_result fwv_anchors_get(const uint8_t *table, size_t len, uint16_t index, fwv_anchor *out)
{
    uint16_t n;
    fwv_result r;
    if (!out) return FWV_ERR_ARG;
    r = fwv_anchors_check(table, len, &n);
    if (r != FWV_OK) return r;
    if (index >= n) return FWV_ERR_ARG;
    entry(table, index, out);
    return FWV_OK;
}

fwv_result fwv_anchors_find(const uint8_t *table, size_t len, const char *name, size_t name_len,
                            fwv_anchor *out)
{
    uint16_t n, i;
    fwv_result r;
    if (!out || (!name && name_len)) return FWV_ERR_ARG;
    r = fwv_anchors_check(table, len, &n);
    if (r != FWV_OK) return r;
    for (i = 0; i < n; i++) {
        fwv_anchor a;
        size_t k;
        entry(table, i, &a);
        if (a.name_len != name_len) continue;
        for (k = 0; k < name_len && a.name[k] == (uint8_t)name[k]; k++) {}
        if (k == name_len) {
            *out = a;
            return FWV_OK;
        }
    }
    return FWV_ERR_UNKNOWN_ANCHOR;
}
