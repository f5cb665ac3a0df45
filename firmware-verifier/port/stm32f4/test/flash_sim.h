/* A simulated STM32F4 flash interface and 1 MiB flash (RM0090 section 3), for building
 * port/stm32f4/slots_flash.c on the host (FWV_STM32F4_FLASH_SIM): the KEYR unlock sequence and
 * its lockout, LOCK, sector erase by SNB over the F405/F407 sector map, programming with PG and
 * PSIZE (alignment and parallelism errors, bits only cleared), write protection per sector, a
 * controller that stays busy, and an erase that silently does nothing (an emulator's ROM). */
#ifndef FWV_STM32F4_FLASH_SIM_H
#define FWV_STM32F4_FLASH_SIM_H

#include <stdint.h>

enum {
    SIM_SR,
    SIM_CR,
    SIM_KEYR
};

typedef struct {
    uint32_t sr, cr;
    int locked, key_stage, lockout;
    unsigned erases, word_programs, byte_programs, lock_writes;
    int last_snb;
    /* faults to inject */
    int stuck_busy, wrp_sector, erase_ignored;
} flash_sim;

extern flash_sim sim;
extern uint8_t sim_flash[0x100000];

void sim_reset(void);
uint32_t sim_get(int reg);
void sim_set(int reg, uint32_t v);
uint32_t sim_rd32(uint32_t addr);
uint8_t sim_rd8(uint32_t addr);
void sim_prog32(uint32_t addr, uint32_t v);
void sim_prog8(uint32_t addr, uint32_t v);
const uint8_t *sim_ptr(uint32_t addr);

#define FI_GET(reg) sim_get(SIM_##reg)
#define FI_SET(reg, v) sim_set(SIM_##reg, (v))
#define FLASH_RD32(a) sim_rd32(a)
#define FLASH_RD8(a) sim_rd8(a)
#define FLASH_PROG32(a, v) sim_prog32((a), (v))
#define FLASH_PROG8(a, v) sim_prog8((a), (v))
#define FLASH_PTR(a) sim_ptr(a)
#define FLASH_BARRIER() ((void)0)

#endif
