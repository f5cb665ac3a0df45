/* Memory map of the verifier on QEMU's mps2-an386 (Cortex-M4). Plain numbers only: this file is
 * included by C and by the linker script (ld/mps2-an386.ld.S, run through the C preprocessor).
 *
 *   0x00000000  verifier (bootloader) at the reset vector ........ 32 KiB
 *   0x00008000  trust-anchor table, written by provisioning ....... 4 KiB
 *   0x00010000  active slot: image, then its trailer sector ....... 512 KiB
 *   0x00090000  staging slot: uploads land here ................... 512 KiB
 *   0x00110000  scratch sector of test swaps (install.c) .......... 4 KiB
 *   0x20000000  verifier RAM (stack at the top) ................... 16 KiB
 *   0x20000000  application RAM once it runs (verifier RAM is dead) 64 KiB
 *   0x203FFFF0  boot request word, kept across resets, never initialised
 *
 * The 4 MiB at 0 is RAM in QEMU (flash on a real board); a 4 KiB "sector" is the erase unit
 * the port emulates. QEMU reloads the -kernel image and -device loader blobs on every reset,
 * so the slots lie outside both and survive a reset. */
#ifndef FWV_MEMMAP_H
#define FWV_MEMMAP_H

#define FWV_VERIFIER_ADDR 0x00000000
#define FWV_VERIFIER_SIZE 0x00008000
#define FWV_ANCHORS_ADDR 0x00008000
#define FWV_ANCHORS_SIZE 0x00001000
#define FWV_ACTIVE_ADDR 0x00010000
#define FWV_STAGING_ADDR 0x00090000
#define FWV_SLOT_SIZE 0x00080000
#define FWV_SCRATCH_ADDR 0x00110000 /* the staging slot's end: one sector */
#define FWV_SECTOR_SIZE 0x00001000
#define FWV_RAM_ADDR 0x20000000
#define FWV_RAM_SIZE 0x00004000
#define FWV_APP_RAM_ADDR 0x20000000
#define FWV_APP_RAM_SIZE 0x00010000
#define FWV_SRAM_END 0x20400000
#define FWV_BOOT_REQUEST_ADDR 0x203FFFF0

#endif
