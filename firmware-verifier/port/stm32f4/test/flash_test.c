/* Host test of port/stm32f4/slots_flash.c (the slot storage a real STM32F4 board uses) against
 * the simulated flash interface in flash_sim.c: which sector each slot address erases, the
 * unlock / lock discipline, word and byte programming with the right PSIZE, NOR semantics, the
 * refusal of addresses outside the slots, and the failures a board can show (write protection,
 * a controller that stays busy, an erase that does not happen, a locked-out interface). */
#include <stdio.h>
#include <string.h>

#include "../../../device/port.h"
#include "../../../test/check.h"
#include "../stm32f4.h"
#include "flash_sim.h"

long fwv_test_passed, fwv_test_failed;

static int all_bytes(uint32_t addr, uint32_t len, uint8_t v)
{
    const uint8_t *p = port_flash_map(addr, len);
    for (uint32_t i = 0; i < len; i++)
        if (p[i] != v) return 0;
    return 1;
}

static void test_erase_sectors(void)
{
    static const struct { uint32_t addr; int snb; } map[] = {
        {0x08020000u, 5}, {0x08040000u, 6}, {0x08060000u, 7}, /* active slot, 7 = its trailer */
        {0x08080000u, 8}, {0x080A0000u, 9}, {0x080C0000u, 10}, /* staging slot */
        {0x080E0000u, 11},                                     /* a test swap's scratch sector */
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        sim_reset();
        memset(sim_flash + (map[i].addr - FWV_FLASH_BASE), 0x00, FWV_SECTOR_SIZE);
        int rc = port_flash_erase(map[i].addr);
        CHECK(rc == 0, "erase 0x%08x: expected 0, got %d", (unsigned)map[i].addr, rc);
        CHECK(sim.last_snb == map[i].snb, "erase 0x%08x: expected sector %d, got %d", (unsigned)map[i].addr,
              map[i].snb, sim.last_snb);
        CHECK(all_bytes(map[i].addr, FWV_SECTOR_SIZE, 0xFF), "sector %d not blank after erase", map[i].snb);
        CHECK(sim.locked, "the interface was left unlocked after erasing sector %d", map[i].snb);
    }
}

static void test_erase_refused(void)
{
    /* the verifier, the anchors, sector 4, a misaligned address: never erased */
    static const uint32_t bad[] = {0x08000000u, 0x08008000u, 0x08010000u, 0x08020004u, 0x08021000u};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sim_reset();
        int rc = port_flash_erase(bad[i]);
        CHECK(rc == -1 && sim.erases == 0, "erase 0x%08x: expected -1 and no erase, got %d and %u erases",
              (unsigned)bad[i], rc, sim.erases);
    }
}

static void test_write(void)
{
    sim_reset();
    uint8_t data[11];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(0x10 + i);
    /* 0x08080001: 3 bytes to reach alignment, 2 words, then 0 left over */
    int rc = port_flash_write(0x08080001u, data, sizeof data);
    CHECK(rc == 0, "write: expected 0, got %d", rc);
    CHECK(memcmp(port_flash_map(0x08080001u, sizeof data), data, sizeof data) == 0, "write: data did not read back");
    CHECK(sim_flash[0x80000] == 0xFF && sim_flash[0x80000 + 12] == 0xFF, "write touched bytes beside it");
    CHECK(sim.byte_programs == 3 && sim.word_programs == 2, "write: expected 3 byte and 2 word programs, got %u and %u",
          sim.byte_programs, sim.word_programs);
    CHECK(sim.locked && sim.sr == 0, "write: expected locked with no error flag, got locked=%d sr=0x%x", sim.locked,
          (unsigned)sim.sr);

    uint8_t back[sizeof data];
    CHECK(port_flash_read(0x08080001u, back, sizeof back) == 0 && memcmp(back, data, sizeof data) == 0,
          "port_flash_read: data did not come back");

    /* NOR: programming clears bits only; a byte already as wanted is not programmed again */
    unsigned before = sim.byte_programs + sim.word_programs;
    uint8_t same[4] = {0x10, 0x11, 0x12, 0x13};
    CHECK(port_flash_write(0x08080001u, same, 3) == 0, "rewriting the same bytes failed");
    CHECK(sim.byte_programs + sim.word_programs == before, "rewriting the same bytes programmed flash");
    uint8_t more[1] = {0x0F};
    CHECK(port_flash_write(0x08080001u, more, 1) == 0 && sim_flash[0x80001] == (0x10 & 0x0F),
          "NOR semantics: expected 0x%02x, got 0x%02x", 0x10 & 0x0F, sim_flash[0x80001]);
}

static void test_write_refused(void)
{
    uint8_t d[8] = {0};
    static const struct { uint32_t addr; size_t len; } bad[] = {
        {0x08000000u, 4},          /* the verifier */
        {0x08008000u, 4},          /* the anchors */
        {0x0801FFFCu, 8},          /* starts before the active slot */
        {0x080FFFFCu, 8},          /* runs past the scratch sector, the end of flash */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sim_reset();
        int rc = port_flash_write(bad[i].addr, d, bad[i].len);
        CHECK(rc == -1 && sim.word_programs + sim.byte_programs == 0,
              "write 0x%08x+%zu: expected -1 and nothing programmed, got %d", (unsigned)bad[i].addr, bad[i].len, rc);
    }
}

static void test_faults(void)
{
    uint8_t d[4] = {1, 2, 3, 4};

    sim_reset();
    sim.wrp_sector = 6;
    memset(sim_flash + 0x40000, 0x00, 16);
    CHECK(port_flash_erase(0x08040000u) == -1, "erase of a write-protected sector did not fail");
    CHECK(sim.locked, "left unlocked after a write-protection error");
    CHECK(port_flash_erase(0x08060000u) == 0, "the error flag of the last call broke the next one");

    sim_reset();
    sim.stuck_busy = 1;
    CHECK(port_flash_erase(0x08020000u) == -1 && sim.erases == 0, "a controller stuck busy did not time out");
    CHECK(port_flash_write(0x08020000u, d, 4) == -1, "a write with the controller stuck busy did not fail");

    sim_reset();
    sim.erase_ignored = 1;
    memset(sim_flash + 0x20000, 0xA5, 4);
    CHECK(port_flash_erase(0x08020000u) == -1, "an erase that did not happen passed the blank check");

    sim_reset();
    sim.lockout = 1; /* a wrong key sequence earlier: locked until reset */
    CHECK(port_flash_erase(0x08020000u) == -1 && sim.erases == 0, "erase through a locked-out interface");
    CHECK(port_flash_write(0x08020000u, d, 4) == -1, "write through a locked-out interface");
    CHECK(sim_flash[0x20000] == 0xFF, "a locked-out interface changed flash");
}

int main(void)
{
    test_erase_sectors();
    test_erase_refused();
    test_write();
    test_write_refused();
    test_faults();
    printf("stm32f4 flash: %ld passed, %ld failed\n", fwv_test_passed, fwv_test_failed);
    return fwv_test_failed != 0;
}
