/* Slot storage in the STM32F4's own flash (FWV_SLOTS_IN=flash): the flash interface at
 * 0x40023C00 (RM0090 section 3): unlock with the two keys, erase one 128 KiB sector (SER, SNB,
 * STRT), program words (PG, PSIZE x32) or odd bytes (PSIZE x8), wait for BSY to clear, check
 * the error flags, lock again. Each operation is bounded by SysTick.
 *
 * The verifier runs from the same flash bank, so the core stalls while a sector erases (about
 * 1-2 s for 128 KiB); UART bytes arriving then are lost and the host resends after its timeout.
 * The flash caches (FLASH_ACR ICEN/DCEN) stay off as after reset, so nothing stale is read back.
 *
 * Every access to the interface and to the flash goes through the few macros below, so that
 * port/stm32f4/test/ can build this file against a simulated interface (FWV_STM32F4_FLASH_SIM). */
#include <string.h>

#include "../../device/port.h"
#include "stm32f4.h"

#ifndef FWV_SLOTS_IN_FLASH
#error "slots_flash.c needs the flash memory map: build with -DFWV_SLOTS_IN_FLASH"
#endif

#ifdef FWV_STM32F4_FLASH_SIM
#include "test/flash_sim.h"
#else
#define FI_GET(reg) (FLASH_##reg)
#define FI_SET(reg, v) (FLASH_##reg = (v))
#define FLASH_RD32(a) REG32(a)
#define FLASH_RD8(a) (*(const volatile uint8_t *)(uintptr_t)(a))
#define FLASH_PROG32(a, v) (REG32(a) = (v))
#define FLASH_PROG8(a, v) (*(volatile uint8_t *)(uintptr_t)(a) = (uint8_t)(v))
#define FLASH_PTR(a) ((const uint8_t *)(uintptr_t)(a))
#define FLASH_BARRIER() __asm volatile("dsb" ::: "memory")
#endif

#define ERASE_TIMEOUT_MS 8000u /* datasheet: a 128 KiB sector erases in up to 4 s at x32 */
#define PROGRAM_TIMEOUT_MS 10u /* a word programs in about 16 us */

static int in_slots(uint32_t addr, size_t len)
{
    return addr >= FWV_ACTIVE_ADDR && addr <= FWV_SCRATCH_ADDR + FWV_SECTOR_SIZE &&
           len <= FWV_SCRATCH_ADDR + FWV_SECTOR_SIZE - addr;
}

/* Waits for the end of the current operation; 0, or -1 on a timeout or an error flag. Fetches
 * from the bank being erased stall the core, and COUNTFLAG counts one tick however long a stall
 * lasts, so this bounds a controller that never finishes rather than timing the erase. */
static int flash_wait(uint32_t timeout_ms)
{
    uint32_t ms = 0;
    (void)stm32f4_tick(); /* start counting from now */
    while (FI_GET(SR) & FLASH_SR_BSY) {
        if (stm32f4_tick() && ++ms > timeout_ms) return -1;
    }
    return (FI_GET(SR) & FLASH_SR_ERRORS) ? -1 : 0;
}

static int flash_unlock(void)
{
    if (flash_wait(ERASE_TIMEOUT_MS) != 0 && (FI_GET(SR) & FLASH_SR_BSY)) return -1;
    FI_SET(SR, FLASH_SR_EOP | FLASH_SR_ERRORS); /* write 1 to clear what a previous call left */
    if (FI_GET(CR) & FLASH_CR_LOCK) {
        FI_SET(KEYR, FLASH_KEY1);
        FI_SET(KEYR, FLASH_KEY2);
    }
    return (FI_GET(CR) & FLASH_CR_LOCK) ? -1 : 0; /* a wrong sequence locks it until reset */
}

static int flash_lock(int rc)
{
    FI_SET(CR, FLASH_CR_LOCK);
    return rc;
}

int port_flash_erase(uint32_t addr)
{
    if (addr % FWV_SECTOR_SIZE != 0 || !in_slots(addr, FWV_SECTOR_SIZE)) return -1;
    uint32_t snb = FWV_FIRST_BIG_SECTOR + (addr - FWV_FIRST_BIG_SECTOR_ADDR) / FWV_SECTOR_SIZE;
    if (flash_unlock() != 0) return flash_lock(-1);
    FI_SET(CR, FLASH_CR_SER | FLASH_CR_SNB(snb) | FLASH_CR_PSIZE_X32);
    FI_SET(CR, FI_GET(CR) | FLASH_CR_STRT);
    int rc = flash_lock(flash_wait(ERASE_TIMEOUT_MS));
    /* Blank check: an erase that did not happen (write protection, an emulator's ROM) must not
     * pass for one, or old bits would survive under the new image. */
    for (uint32_t a = addr; rc == 0 && a < addr + FWV_SECTOR_SIZE; a += 4)
        if (FLASH_RD32(a) != 0xFFFFFFFFu) rc = -1;
    return rc;
}

/* Programs one word or one byte, as NOR flash: only bits still set can be cleared. */
static int program(uint32_t addr, uint32_t value, int word)
{
    FI_SET(CR, FLASH_CR_PG | (word ? FLASH_CR_PSIZE_X32 : FLASH_CR_PSIZE_X8));
    if (word)
        FLASH_PROG32(addr, value);
    else
        FLASH_PROG8(addr, value);
    FLASH_BARRIER();
    return flash_wait(PROGRAM_TIMEOUT_MS);
}

int port_flash_write(uint32_t addr, const uint8_t *data, size_t len)
{
    if (!in_slots(addr, len)) return -1;
    if (flash_unlock() != 0) return flash_lock(-1);
    for (size_t i = 0; i < len;) {
        uint32_t a = addr + (uint32_t)i;
        int word = (a & 3u) == 0 && len - i >= 4;
        uint32_t old, want;
        if (word) {
            uint32_t d;
            memcpy(&d, data + i, 4);
            old = FLASH_RD32(a);
            want = old & d;
        } else {
            old = FLASH_RD8(a);
            want = old & data[i];
        }
        if (want != old) {
            if (program(a, want, word) != 0) return flash_lock(-1);
            uint32_t got = word ? FLASH_RD32(a) : FLASH_RD8(a);
            if (got != want) return flash_lock(-1);
        }
        i += word ? 4u : 1u;
    }
    return flash_lock(0);
}

int port_flash_read(uint32_t addr, uint8_t *data, size_t len)
{
    memcpy(data, FLASH_PTR(addr), len);
    return 0;
}

const uint8_t *port_flash_map(uint32_t addr, size_t len)
{
    (void)len;
    return FLASH_PTR(addr);
}
