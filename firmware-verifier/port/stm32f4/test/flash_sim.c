/* The simulated flash interface behind flash_sim.h; behaviour as RM0090 describes it. */
#include "flash_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../stm32f4.h"

flash_sim sim;
uint8_t sim_flash[0x100000];

void sim_reset(void)
{
    memset(&sim, 0, sizeof sim);
    sim.locked = 1;
    sim.last_snb = -1;
    sim.wrp_sector = -1;
    sim.sr = 0;
    memset(sim_flash, 0xFF, sizeof sim_flash);
}

static uint32_t offset(uint32_t addr, uint32_t len)
{
    if (addr < FWV_FLASH_BASE || addr - FWV_FLASH_BASE > sizeof sim_flash - len) {
        fprintf(stderr, "flash_sim: access at 0x%08x outside the 1 MiB flash\n", (unsigned)addr);
        abort(); /* the driver must never touch memory outside flash */
    }
    return addr - FWV_FLASH_BASE;
}

/* F405/F407: sectors 0-3 16 KiB, 4 64 KiB, 5-11 128 KiB. */
static void sector_span(int n, uint32_t *start, uint32_t *size)
{
    if (n < 4) *start = (uint32_t)n * 0x4000u, *size = 0x4000u;
    else if (n == 4) *start = 0x10000u, *size = 0x10000u;
    else *start = 0x20000u + (uint32_t)(n - 5) * 0x20000u, *size = 0x20000u;
}

static void erase(int n)
{
    if (n > 11) {
        sim.sr |= FLASH_SR_PGSERR;
        return;
    }
    if (n == sim.wrp_sector) {
        sim.sr |= FLASH_SR_WRPERR;
        return;
    }
    sim.erases++;
    sim.last_snb = n;
    if (sim.erase_ignored) return;
    uint32_t start, size;
    sector_span(n, &start, &size);
    memset(sim_flash + start, 0xFF, size);
}

uint32_t sim_get(int reg)
{
    switch (reg) {
    case SIM_SR: return sim.sr | (sim.stuck_busy ? FLASH_SR_BSY : 0u);
    case SIM_CR: return sim.cr | (sim.locked ? FLASH_CR_LOCK : 0u);
    default: return 0; /* KEYR reads as 0 */
    }
}

void sim_set(int reg, uint32_t v)
{
    switch (reg) {
    case SIM_SR: sim.sr &= ~(v & (FLASH_SR_EOP | FLASH_SR_ERRORS)); break;
    case SIM_KEYR:
        if (!sim.locked || sim.lockout) break;
        if (sim.key_stage == 0 && v == FLASH_KEY1) sim.key_stage = 1;
        else if (sim.key_stage == 1 && v == FLASH_KEY2) sim.locked = 0, sim.key_stage = 0;
        else sim.lockout = 1; /* a bus error on the part; locked until reset */
        break;
    case SIM_CR:
        if (v & FLASH_CR_LOCK) {
            sim.locked = 1;
            sim.cr = 0;
            sim.lock_writes++;
            break;
        }
        if (sim.locked) break; /* CR ignores writes while locked */
        sim.cr = v & ~FLASH_CR_STRT;
        if ((v & FLASH_CR_STRT) && (v & FLASH_CR_SER)) erase((int)((v >> 3) & 0x1Fu));
        break;
    default: break;
    }
}

/* A program operation: refused without PG (or when locked), misaligned, or with a PSIZE that
 * does not match the access; otherwise it can only clear bits. */
static int may_program(uint32_t addr, uint32_t bytes)
{
    if (sim.locked || !(sim.cr & FLASH_CR_PG)) return sim.sr |= FLASH_SR_PGSERR, 0;
    if (addr % bytes != 0) return sim.sr |= FLASH_SR_PGAERR, 0;
    uint32_t psize = sim.cr & (3u << 8);
    if (psize != (bytes == 4 ? FLASH_CR_PSIZE_X32 : FLASH_CR_PSIZE_X8)) return sim.sr |= FLASH_SR_PGPERR, 0;
    return 1;
}

void sim_prog32(uint32_t addr, uint32_t v)
{
    uint32_t o = offset(addr, 4);
    if (!may_program(addr, 4)) return;
    sim.word_programs++;
    for (int i = 0; i < 4; i++) sim_flash[o + (uint32_t)i] &= (uint8_t)(v >> (8 * i));
}

void sim_prog8(uint32_t addr, uint32_t v)
{
    uint32_t o = offset(addr, 1);
    if (!may_program(addr, 1)) return;
    sim.byte_programs++;
    sim_flash[o] &= (uint8_t)v;
}

uint32_t sim_rd32(uint32_t addr)
{
    uint32_t o = offset(addr, 4);
    return (uint32_t)sim_flash[o] | (uint32_t)sim_flash[o + 1] << 8 | (uint32_t)sim_flash[o + 2] << 16 |
           (uint32_t)sim_flash[o + 3] << 24;
}

uint8_t sim_rd8(uint32_t addr) { return sim_flash[offset(addr, 1)]; }

const uint8_t *sim_ptr(uint32_t addr) { return sim_flash + offset(addr, 0); }

/* SysTick stand-in: every poll is a millisecond, so timeouts end quickly. */
int stm32f4_tick(void) { return 1; }
