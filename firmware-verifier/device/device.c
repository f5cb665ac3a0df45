/* Receive buffers, service loop and boot entry: see device.h. */
#include "device.h"

#include <string.h>

#include "frame.h"
#include "port.h"
#include "slots.h"
#include "smp.h"

#define PKT_CAP (FWV_BUF_SIZE + 2) /* SMP message + its CRC */

/* Orders the interrupt's writes of a buffer before the state that publishes it (and the loop's
 * reads after it): the state is volatile, the buffer is not. */
#if defined(__GNUC__)
#define BARRIER() __asm__ volatile("" ::: "memory")
#else
#define BARRIER() ((void)0)
#endif

/* Buffers cycle in order: the interrupt fills rx[fill], the loop processes rx[proc]. A buffer is
 * BUSY while the decoder writes it, READY until the loop has answered it. */
enum {
    BUF_FREE = 0,
    BUF_BUSY,
    BUF_READY
};
static struct {
    uint8_t data[PKT_CAP];
    uint16_t len;
    uint8_t oversize; /* only the head of a request too long for the buffer */
    volatile uint8_t state;
} rx[FWV_BUF_COUNT];
static uint8_t fill, proc;
static frame_decoder dec;
static uint8_t tx[FWV_BUF_SIZE + 4];
fwv_device_stats fwv_stats;

static uint8_t *acquire(void *ctx)
{
    (void)ctx;
    if (rx[fill].state != BUF_FREE) return NULL;
    rx[fill].state = BUF_BUSY;
    return rx[fill].data;
}

void fwv_device_init(void)
{
    memset(rx, 0, sizeof rx);
    fill = proc = 0;
    memset(&fwv_stats, 0, sizeof fwv_stats);
    frame_decoder_init(&dec, acquire, NULL, PKT_CAP);
    fwv_stage_reset();
}

void fwv_device_rx(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        frame_status s = frame_decoder_feed(&dec, data[i]);
        if (s == FRAME_DROPPED) {
            fwv_stats.dropped++;
        } else if (s == FRAME_PACKET || s == FRAME_OVERSIZE) {
            frame_decoder_take(&dec);
            rx[fill].len = (uint16_t)dec.body_len;
            rx[fill].oversize = s == FRAME_OVERSIZE;
            BARRIER();
            rx[fill].state = BUF_READY;
            fill = (uint8_t)((fill + 1) % FWV_BUF_COUNT);
            fwv_stats.packets++;
        }
    }
}

static void uart_write(void *ctx, const uint8_t *d, size_t n)
{
    (void)ctx;
    port_uart_write(d, n);
}

int fwv_device_poll(void)
{
    int handled = 0;
    while (rx[proc].state == BUF_READY) {
        fwv_smp_after after;
        BARRIER();
        size_t n = rx[proc].oversize
                       ? fwv_smp_error(rx[proc].data, rx[proc].len, tx + 2, FWV_BUF_SIZE,
                                       FWV_SMP_ERR_EMSGSIZE, &after)
                       : fwv_smp_handle(rx[proc].data, rx[proc].len, tx + 2, FWV_BUF_SIZE, &after);
        port_irq_disable();
        rx[proc].state = BUF_FREE;
        proc = (uint8_t)((proc + 1) % FWV_BUF_COUNT);
        port_irq_enable();
        if (n) frame_encode(tx, n, uart_write, NULL);
        handled++;
        if (after.reset) {
            if (after.boot_mode == 1) port_boot_request_set(FWV_BOOT_STAY);
            port_reset();
            return handled;
        }
    }
    return handled;
}

int fwv_device_pending(void) { return rx[proc].state == BUF_READY; }

/* Names the image about to run, so a host can confirm an update by what the device reports
 * (the SHA-256 of the trailer that just verified), not by asking the application. */
static void say_booting(void)
{
    static const char hexd[] = "0123456789abcdef";
    static const char head[] = "FWV_OK, booting sha256 ";
    fwv_trailer t;
    char line[sizeof head - 1 + 64 + 1];
    if (fwv_trailer_read(port_layout()->active, &t) != 0) return;
    memcpy(line, head, sizeof head - 1);
    for (int i = 0; i < 32; i++) {
        line[sizeof head - 1 + 2 * i] = hexd[t.sha256[i] >> 4];
        line[sizeof head - 1 + 2 * i + 1] = hexd[t.sha256[i] & 15];
    }
    line[sizeof line - 1] = '\n';
    port_uart_write((const uint8_t *)line, sizeof line);
}

fwv_result fwv_device_boot(void)
{
    /* Finish or refuse first, so a pending copy completes even when asked to stay. */
    fwv_result r = fwv_boot_check();
    if (port_boot_request_take() == FWV_BOOT_STAY) return FWV_ERR_STATE;
    if (r == FWV_OK) {
        say_booting();
        port_jump(port_layout()->active);
    }
    return r;
}
