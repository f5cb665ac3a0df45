/* The port layer: everything the device logic needs from a board. port/<board>/ implements it
 * for real hardware (or QEMU), port/host/ over memory and stdio for the unit tests and fuzzers.
 * Addresses are the board's: on the MPS2 they are memory-mapped, on the host an offset into a
 * simulated flash array. */
#ifndef FWV_DEVICE_PORT_H
#define FWV_DEVICE_PORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t active;       /* start of the active slot (the image the verifier boots) */
    uint32_t staging;      /* start of the staging slot (uploads land here) */
    uint32_t slot_size;    /* bytes per slot, trailer sector included */
    uint32_t sector_size;  /* erase unit; the last sector of each slot holds its trailer */
    uint32_t scratch;      /* one sector a test swap parks the running image's sectors in */
    uint32_t anchors;      /* trust-anchor table written by provisioning */
    uint32_t anchors_size; /* bytes reserved for it */
    uint32_t ram_start;    /* the RAM an application's initial stack pointer may point into: */
    uint32_t ram_end;      /* [ram_start, ram_end], checked before an image is accepted */
} fwv_layout;

const fwv_layout *port_layout(void);

/* Flash: erase sets a sector to 0xFF; write programs bytes in erased cells. Both return 0 or -1.
 * Writes are at most one sector and never cross one. */
int port_flash_erase(uint32_t addr);
int port_flash_write(uint32_t addr, const uint8_t *data, size_t len);
int port_flash_read(uint32_t addr, uint8_t *data, size_t len);
/* A pointer to len bytes of flash, for the trust-anchor table (read in place, never copied). */
const uint8_t *port_flash_map(uint32_t addr, size_t len);

void port_uart_write(const uint8_t *data, size_t len);

/* Masks the receive interrupt around the few lines that hand buffers between it and the loop. */
void port_irq_disable(void);
void port_irq_enable(void);
/* Waits for an interrupt (the board) or returns at once (host). */
void port_idle(void);

/* A request, kept across a reset in memory neither image initialises, to stay in the verifier
 * instead of booting the active slot. take() returns it and clears it. */
void port_boot_request_set(uint32_t mode);
uint32_t port_boot_request_take(void);

/* Deepest stack use seen so far in bytes (0 where not measured), reported by STATUS. */
uint32_t port_stack_peak(void);

/* Resets the board; never returns on hardware. */
void port_reset(void);
/* Starts the image whose vector table is at addr; never returns on hardware. */
void port_jump(uint32_t addr);

#endif
