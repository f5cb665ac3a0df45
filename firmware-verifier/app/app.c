/* The test application: linked for the active slot, prints `fwsign-demo-app v<N>` and then
 * serves SMP echo, reset (boot_mode 1 sends it back to the verifier) and image confirm (the
 * confirm hook below: an image installed by `image test` stays only once confirmed). It reuses
 * the verifier's framing and CBOR code; polled UART, one buffer: it is a demo. */
#include <string.h>

#include "../device/cbor.h"
#include "../device/device.h"
#include "../device/frame.h"
#include "../device/slots.h"
#ifdef FWV_BOARD_H /* another board's registers and memory map, e.g. port/stm32f4/stm32f4.h */
#include FWV_BOARD_H
#else
#include "../ld/memmap.h"
#include "../port/mps2-an386/cmsdk.h"
#endif
#include "fwv/protocol.h"

#ifndef APP_VERSION
#define APP_VERSION 1
#endif
#define STR2(x) #x
#define STR(x) STR2(x)

/* The active slot's trailer record (device/slots.h) and the confirm byte after it. */
#define TRAILER_ADDR (FWV_ACTIVE_ADDR + FWV_SLOT_SIZE - FWV_SECTOR_SIZE)
#define CONFIRM_ADDR (TRAILER_ADDR + FWV_CONFIRM_OFFSET)

/* The confirm hook: what a real application calls once it knows it works (after its self-test,
 * or when a host sends SMP image confirm). It programs one byte to 0x00, which flash does
 * atomically; until then the next reset returns to the previous image. With the slots in RAM
 * (QEMU) a store programs it; in flash it takes the flash interface's byte programming. */
static int confirm_image(void)
{
#ifdef FWV_SLOTS_IN_FLASH
    while (FLASH_SR & FLASH_SR_BSY) {}
    FLASH_SR = FLASH_SR_EOP | FLASH_SR_ERRORS;
    FLASH_KEYR = FLASH_KEY1;
    FLASH_KEYR = FLASH_KEY2;
    FLASH_CR = FLASH_CR_PG | FLASH_CR_PSIZE_X8;
    *(volatile uint8_t *)CONFIRM_ADDR = 0;
    __asm volatile("dsb" ::: "memory");
    while (FLASH_SR & FLASH_SR_BSY) {}
    int err = (FLASH_SR & FLASH_SR_ERRORS) != 0;
    FLASH_CR = FLASH_CR_LOCK;
    return err || *(volatile uint8_t *)CONFIRM_ADDR != 0 ? -1 : 0;
#else
    *(volatile uint8_t *)CONFIRM_ADDR = 0;
    return 0;
#endif
}

/* The reply to image confirm, as Zephyr's: the running image (slot 0) with its version and
 * hash from the trailer the verifier wrote, confirmed. */
static void put_running_image(cbor_writer *w)
{
    const uint8_t *t = (const uint8_t *)TRAILER_ADDR;
    fwv_image_version ver;
    char v[24];
    fwv_version_get(t + FWV_TRAILER_VERSION_OFFSET, &ver);
    size_t n = fwv_version_str(&ver, v);
    cbor_put_head(w, CBOR_MAP, 1);
    cbor_put_tstr(w, "images");
    cbor_put_head(w, CBOR_ARRAY, 1);
    cbor_put_head(w, CBOR_MAP, 6);
    cbor_put_tstr(w, "slot");
    cbor_put_uint(w, 0);
    cbor_put_tstr(w, "version");
    cbor_put_tstrn(w, v, n);
    cbor_put_tstr(w, "hash");
    cbor_put_bstr(w, t + FWV_TRAILER_SHA_OFFSET, 32);
    cbor_put_tstr(w, "bootable");
    cbor_put_bool(w, 1);
    cbor_put_tstr(w, "confirmed");
    cbor_put_bool(w, 1);
    cbor_put_tstr(w, "active");
    cbor_put_bool(w, 1);
}

static uint8_t rx[512];
static uint8_t tx[520];
static uint8_t *acquire(void *ctx) { (void)ctx; return rx; }

static void uart_write(void *ctx, const uint8_t *d, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) uart0_putc(d[i]);
}

/* Answers one request; returns 1 when the board should reset afterwards. */
static int handle(const uint8_t *req, size_t n, uint32_t *boot_mode)
{
    if (n < FWV_SMP_HEADER_SIZE || ((req[0] & 7) != FWV_SMP_OP_READ && (req[0] & 7) != FWV_SMP_OP_WRITE))
        return 0;
    uint16_t group = (uint16_t)(req[4] << 8 | req[5]);
    uint8_t id = req[7];
    cbor_reader r;
    cbor_item m, k, v, d = {0};
    int have_d = 0, reset = 0, confirm = 0, other_hash = 0;
    cbor_reader_init(&r, req + 8, n - 8);
    if (n > 8 && cbor_read(&r, &m) == 0 && m.major == CBOR_MAP) {
        for (uint32_t i = 0; i < m.arg && !r.err; i++) {
            if (cbor_read(&r, &k) != 0 || cbor_read(&r, &v) != 0 || cbor_skip_contents(&r, &v) != 0) break;
            if (cbor_tstr_eq(&k, "d") && v.major == CBOR_TSTR) { d = v; have_d = 1; }
            if (cbor_tstr_eq(&k, "boot_mode") && v.major == CBOR_UINT) *boot_mode = v.arg;
            if (cbor_tstr_eq(&k, "confirm")) confirm = cbor_item_is_true(&v);
            /* a hash names an image; only the running one's (or none, or null) is confirmed here */
            if (cbor_tstr_eq(&k, "hash") && v.major == CBOR_BSTR && v.arg > 0)
                other_hash = v.arg > 32 || memcmp(v.bytes, (const uint8_t *)TRAILER_ADDR + FWV_TRAILER_SHA_OFFSET, v.arg) != 0;
        }
    }
    cbor_writer w;
    cbor_writer_init(&w, tx + 2 + 8, sizeof tx - 2 - 8 - 2);
    if (group == FWV_SMP_GROUP_OS && id == FWV_SMP_OS_ECHO && have_d && d.arg < 400) {
        cbor_put_head(&w, CBOR_MAP, 1);
        cbor_put_tstr(&w, "r");
        cbor_put_tstrn(&w, (const char *)d.bytes, d.arg);
    } else if (group == FWV_SMP_GROUP_OS && id == FWV_SMP_OS_RESET) {
        cbor_put_head(&w, CBOR_MAP, 0);
        reset = 1;
    } else if (group == FWV_SMP_GROUP_IMAGE && id == FWV_SMP_IMAGE_STATE &&
               (req[0] & 7) == FWV_SMP_OP_WRITE && confirm && !other_hash && confirm_image() == 0) {
        put_running_image(&w);
    } else {
        cbor_put_head(&w, CBOR_MAP, 1);
        cbor_put_tstr(&w, "rc");
        cbor_put_uint(&w, FWV_SMP_ERR_ENOTSUP);
    }
    long len = cbor_writer_len(&w);
    if (len < 0) return 0;
    memcpy(tx + 2, req, 8);
    tx[2] = (uint8_t)((req[0] & ~7u) | ((req[0] & 7u) + 1u));
    tx[3] = 0;
    tx[4] = (uint8_t)(len >> 8);
    tx[5] = (uint8_t)len;
    frame_encode(tx, (size_t)len + 8, uart_write, NULL);
    return reset;
}

int main(void)
{
    uart0_init(1);
    uart0_puts("fwsign-demo-app v" STR(APP_VERSION) "\n");
    frame_decoder dec;
    frame_decoder_init(&dec, acquire, NULL, sizeof rx);
    for (;;) {
        if (!(UART_STATE & UART_STATE_RXFULL)) continue;
        if (frame_decoder_feed(&dec, (uint8_t)UART_DATA) != FRAME_PACKET) continue;
        frame_decoder_take(&dec);
        uint32_t boot_mode = 0;
        if (handle(rx, dec.body_len, &boot_mode)) {
            if (boot_mode == 1) REG32(FWV_BOOT_REQUEST_ADDR) = FWV_BOOT_STAY;
            while (UART_STATE & UART_STATE_TXFULL) {}
            SCB_AIRCR = AIRCR_SYSRESETREQ;
            for (;;) {}
        }
    }
}
