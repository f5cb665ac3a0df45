/* Slot storage in RAM treated as NOR flash (4 KiB erase sectors, programming only clears bits):
 * mps2-an386's code RAM at 0, and the STM32F4's SRAM under QEMU (FWV_SLOTS_IN=sram), whose
 * flash QEMU maps as ROM. QEMU keeps RAM across a SYSRESETREQ reset and reloads only the ELF and
 * -device loader blobs, which lie elsewhere, so the slots survive a reset. */
#include <string.h>

#include "../../device/port.h"
#include "board.h"

/* Only the two slots and the swap's scratch sector after them may be erased or written: the
 * verifier and the anchors are off limits. */
static int writable(uint32_t addr, size_t len)
{
    return addr >= FWV_ACTIVE_ADDR && addr <= FWV_SCRATCH_ADDR + FWV_SECTOR_SIZE &&
           len <= FWV_SCRATCH_ADDR + FWV_SECTOR_SIZE - addr;
}

int port_flash_erase(uint32_t addr)
{
    if (addr % FWV_SECTOR_SIZE != 0 || !writable(addr, FWV_SECTOR_SIZE)) return -1;
    memset((void *)(uintptr_t)addr, 0xFF, FWV_SECTOR_SIZE);
    return 0;
}

int port_flash_write(uint32_t addr, const uint8_t *data, size_t len)
{
    if (!writable(addr, len)) return -1;
    volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;
    for (size_t i = 0; i < len; i++) p[i] &= data[i]; /* flash programming only clears bits */
    return 0;
}

int port_flash_read(uint32_t addr, uint8_t *data, size_t len)
{
    memcpy(data, (const void *)(uintptr_t)addr, len);
    return 0;
}

const uint8_t *port_flash_map(uint32_t addr, size_t len)
{
    (void)len;
    return (const uint8_t *)(uintptr_t)addr;
}
