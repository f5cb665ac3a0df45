/* Memory map of the verifier on STM32F405/F407 (1 MiB flash; QEMU's netduinoplus2, Renode's
 * stm32f4_discovery, an STM32F4 Discovery board). Plain numbers only: included by C and by
 * ld/stm32f4.ld.S. FWV_SLOTS_IN_FLASH picks where the two image slots live:
 *
 *   0x08000000  verifier (bootloader), flash sectors 0-1 ........... 32 KiB
 *   0x08008000  trust-anchor table, flash sector 2 (16 KiB), provisioned, 4 KiB used
 *   0x0800C000  sectors 3-4 (80 KiB): unused, room for the verifier to grow
 *
 *   slots in SRAM (the default; QEMU ignores writes to the STM32 flash):
 *   0x20000000  verifier RAM; the application's RAM once it runs .... 16 KiB
 *   0x20004000  active slot: image, then a 4 KiB trailer sector ...... 48 KiB
 *   0x20010000  staging slot ........................................ 48 KiB
 *   0x2001C000  scratch sector of test swaps (install.c) ............ 4 KiB
 *   0x2001D000  unused .............................................. 12 KiB
 *
 *   slots in flash (FWV_SLOTS_IN_FLASH, a real board or Renode):
 *   0x08020000  active slot: sectors 5-7, sector 7 the trailer ...... 384 KiB
 *   0x08080000  staging slot: sectors 8-10, sector 10 the trailer ... 384 KiB
 *   0x080E0000  sector 11: scratch sector of test swaps (install.c) . 128 KiB
 *   0x20000000  verifier RAM 16 KiB; the application gets 64 KiB from the same base
 *
 *   0x2001FFF0  boot request word, kept across resets, never initialised (both builds)
 *
 * Only the real parts' 128 KiB of SRAM at 0x20000000 is used (QEMU 7.2 maps 192 KiB there and
 * no CCM at 0x10000000), so the SRAM build also runs on a board, where its slots survive a
 * reset but not a power cycle. */
#ifndef FWV_STM32F4_MEMMAP_H
#define FWV_STM32F4_MEMMAP_H

#define FWV_FLASH_BASE 0x08000000
#define FWV_VERIFIER_ADDR 0x08000000
#define FWV_VERIFIER_SIZE 0x00008000
#define FWV_ANCHORS_ADDR 0x08008000
#define FWV_ANCHORS_SIZE 0x00001000
#define FWV_RAM_ADDR 0x20000000
#define FWV_RAM_SIZE 0x00004000
#define FWV_SRAM_END 0x20020000
#define FWV_BOOT_REQUEST_ADDR 0x2001FFF0

/* The SRAM branch comes last on purpose: tools that read this header with a pattern rather than
 * the preprocessor (packages/harness, test/qemu) keep the last definition, the build QEMU runs. */
#ifdef FWV_SLOTS_IN_FLASH
#define FWV_ACTIVE_ADDR 0x08020000
#define FWV_STAGING_ADDR 0x08080000
#define FWV_SLOT_SIZE 0x00060000
#define FWV_SECTOR_SIZE 0x00020000 /* the 128 KiB sectors 5-11 of a 1 MiB part */
#define FWV_FIRST_BIG_SECTOR 5     /* sector number of 0x08020000 */
#define FWV_FIRST_BIG_SECTOR_ADDR 0x08020000
#define FWV_SCRATCH_ADDR 0x080E0000 /* sector 11 */
#define FWV_APP_RAM_ADDR 0x20000000
#define FWV_APP_RAM_SIZE 0x00010000
#else
#define FWV_ACTIVE_ADDR 0x20004000
#define FWV_STAGING_ADDR 0x20010000
#define FWV_SLOT_SIZE 0x0000C000
#define FWV_SECTOR_SIZE 0x00001000 /* emulated erase unit */
#define FWV_SCRATCH_ADDR 0x2001C000
#define FWV_APP_RAM_ADDR 0x20000000
#define FWV_APP_RAM_SIZE 0x00004000 /* the verifier's RAM: the active slot follows it */
#endif

#endif
