/* The host port: flash is a byte array with NOR semantics (erase to 0xFF, writes only clear
 * bits), the UART is a capture buffer, reset and jump are recorded. Tests and fuzzers drive the
 * device logic through it and can cut the power after any number of flash operations. */
#ifndef FWV_PORT_HOST_H
#define FWV_PORT_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "../../device/port.h"

/* Small slots keep the power-cut test (one run per flash operation) quick. */
#define HOST_SECTOR 1024u
#define HOST_ANCHORS 0x0000u
#define HOST_ANCHORS_SIZE 0x1000u
#define HOST_ACTIVE 0x1000u
#define HOST_SLOT_SIZE 0x10000u
#define HOST_STAGING (HOST_ACTIVE + HOST_SLOT_SIZE)
#define HOST_SCRATCH (HOST_STAGING + HOST_SLOT_SIZE) /* one sector, for test swaps */
#define HOST_FLASH_SIZE (HOST_SCRATCH + HOST_SECTOR)
/* Where an image's initial stack pointer must point (test images start 00 80 00 20: 0x20008000). */
#define HOST_RAM_START 0x20000000u
#define HOST_RAM_END 0x20010000u

extern uint8_t host_flash[HOST_FLASH_SIZE];

/* Erases the whole flash (a factory-fresh part). */
void host_port_init(void);

/* Captured UART output since the last clear. */
extern uint8_t host_tx[1 << 16];
extern size_t host_tx_len;
void host_tx_clear(void);

/* Power cut: after `ops` more erase/write operations the next one is torn (an erase leaves the
 * sector half erased, a write lands only its first half) and every later one fails. -1 = never. */
void host_power_cut_after(long ops);
int host_powered_off(void);
void host_power_restore(void);
/* Flash operations (erase + write) since init; for sizing power-cut loops. */
extern unsigned long host_flash_ops;

extern int host_reset_requested;
extern uint32_t host_jumped_to; /* 0 = no jump */

#endif
