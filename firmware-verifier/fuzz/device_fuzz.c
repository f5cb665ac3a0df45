/* libFuzzer target for the device's wire side: console frame decoder + CBOR reader + SMP
 * dispatch (including upload into the host port's flash, signature, verify, mark-bootable and
 * status). The first input byte picks the entry: odd = raw SMP messages straight to dispatch
 * (so the fuzzer need not forge CRCs to reach the CBOR reader), even = bytes on the UART. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fwv/anchors.h"
#include "../device/device.h"
#include "../device/smp.h"
#include "../port/host/port_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One EC_P256 anchor named "g.crt" holding the curve's generator (a valid point), so that
 * fuzzed signatures reach the real verification instead of stopping at a missing table. */
static void provision(void)
{
    static const uint8_t g[65] = {
        0x04, 0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5, 0x63, 0xA4,
        0x40, 0xF2, 0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8,
        0x98, 0xC2, 0x96, 0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A,
        0x7C, 0x0F, 0x9E, 0x16, 0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40,
        0x68, 0x37, 0xBF, 0x51, 0xF5};
    uint8_t *t = host_flash + HOST_ANCHORS;
    uint32_t total = FWV_TA_HEADER_SIZE + FWV_TA_ENTRY_SIZE + FWV_TA_CRC_SIZE;
    memset(t, 0, total);
    for (int i = 0; i < 4; i++) {
        t[i] = (uint8_t)(FWV_TA_MAGIC >> (8 * i));
        t[8 + i] = (uint8_t)(total >> (8 * i));
    }
    t[FWV_TA_HDR_VERSION_OFFSET] = FWV_TA_VERSION;
    t[FWV_TA_HDR_COUNT_OFFSET] = 1;
    uint8_t *e = t + FWV_TA_HEADER_SIZE;
    e[FWV_TA_ENTRY_KEY_TYPE_OFFSET] = FWV_KEY_EC_P256;
    e[FWV_TA_ENTRY_NAME_LENGTH_OFFSET] = 5;
    memcpy(e + FWV_TA_ENTRY_NAME_OFFSET, "g.crt", 5);
    memcpy(e + FWV_TA_ENTRY_KEY_OFFSET, g, sizeof g);
    uint32_t crc = fwv_crc32(t, total - 4);
    for (int i = 0; i < 4; i++) t[total - 4 + i] = (uint8_t)(crc >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t rsp[FWV_BUF_SIZE];
    host_port_init(); /* every input starts from an erased board */
    provision();
    fwv_device_init();
    if (size == 0) return 0;
    if (data[0] & 1) {
        /* a sequence of messages, each prefixed by a 2-byte length, so state carries across
         * commands (upload, then signature, then verify, ...) */
        size_t i = 1;
        while (i + 2 <= size) {
            size_t n = (size_t)(data[i] << 8 | data[i + 1]) % (FWV_BUF_SIZE + 1);
            i += 2;
            if (n > size - i) n = size - i;
            fwv_smp_after after;
            size_t r = fwv_smp_handle(data + i, n, rsp, sizeof rsp, &after);
            if (r > sizeof rsp) __builtin_trap();
            i += n;
        }
    } else {
        /* bytes in pieces, polling between them as the main loop does */
        for (size_t i = 1; i < size; i += 64) {
            fwv_device_rx(data + i, size - i < 64 ? size - i : 64);
            fwv_device_poll();
            host_tx_clear();
        }
    }
    fwv_device_boot();
    return 0;
}
