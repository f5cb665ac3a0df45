/*
 * Trust-anchor table: the keys the device trusts, each named by the `certfile` path of the OTA
 * job document. Layout (FWV_TA_*) comes from packages/protocol/protocol.json via protocol.h.
 * The parser never reads outside [table, table + len) whatever the bytes say.
 */
#ifndef FWV_ANCHORS_H
#define FWV_ANCHORS_H

#include <stddef.h>
#include <stdint.h>
#include "fwv/protocol.h"

/* A view into the table: pointers alias the table bytes, nothing is copied. */
typedef struct {
    uint8_t key_type;            /* FWV_KEY_EC_P256 or FWV_KEY_RSA_2048 */
    uint8_t name_len;            /* bytes of name, 1..63 */
    const uint8_t *name;         /* certfile path, not NUL-terminated */
    const uint8_t *cert_sha256;  /* 32 bytes: SHA-256 of the certificate the key came from */
    const uint8_t *key;          /* EC: 65-byte 04||X||Y; RSA: 256-byte modulus, 4-byte BE exponent */
} fwv_anchor;

/* CRC-32 as zlib computes it (reflected 0xEDB88320, init and xorout 0xFFFFFFFF). */
uint32_t fwv_crc32(const uint8_t *d, size_t n);

/*
 * Checks magic, version, count (1..FWV_TA_MAX_ENTRIES), total length (== header + entries + CRC
 * and <= len), CRC-32, and each entry's key type and name length. Returns FWV_OK and sets *count
 * (if count is not NULL), FWV_ERR_ARG for a NULL table, FWV_ERR_ANCHOR_TABLE otherwise.
 */
fwv_result fwv_anchors_check(const uint8_t *table, size_t len, uint16_t *count);

/*
 * Checks the table as fwv_anchors_check does, then looks up the entry whose name equals
 * name[0..name_len). Returns FWV_OK and fills *out, FWV_ERR_UNKNOWN_ANCHOR if no entry has that
 * name, FWV_ERR_ANCHOR_TABLE if the table is corrupt, FWV_ERR_ARG for NULL arguments.
 */
fwv_result fwv_anchors_find(const uint8_t *table, size_t len, const char *name, size_t name_len,
                            fwv_anchor *out);

/* Entry `index` of a table that passed fwv_anchors_check; FWV_ERR_ARG if out of range. */
fwv_result fwv_anchors_get(const uint8_t *table, size_t len, uint16_t index, fwv_anchor *out);

#endif /* FWV_ANCHORS_H */
