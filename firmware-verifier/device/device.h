/* The verifier's top level: receive buffers between the UART interrupt and the main loop, the
 * SMP service loop, and the boot entry point. */
#ifndef FWV_DEVICE_DEVICE_H
#define FWV_DEVICE_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "fwv/protocol.h"

#define FWV_BOOT_STAY 0x53544159u /* "STAY": boot request that keeps the verifier serving */

/* Resets all device state (a power-on, as far as RAM goes). */
void fwv_device_init(void);
/* Feeds received bytes to the frame decoder; the board calls it from the UART interrupt. */
void fwv_device_rx(const uint8_t *data, size_t len);
/* Processes every complete request waiting in a buffer; returns how many. */
int fwv_device_poll(void);
/* Nonzero when a complete request waits for fwv_device_poll. */
int fwv_device_pending(void);
/* The boot entry: jump to the active image when it verifies and no one asked to stay;
 * otherwise returns the reason (the caller then serves SMP). */
fwv_result fwv_device_boot(void);

/* Counters for tests and the status line. */
typedef struct {
    uint32_t packets;  /* requests decoded */
    uint32_t dropped;  /* packets discarded (framing, CRC, or no free buffer) */
} fwv_device_stats;
extern fwv_device_stats fwv_stats;

#endif
