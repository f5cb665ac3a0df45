/* The linker script body every Cortex-M board shares, included by ld/<board>.ld.S after its
 * memory map header (FWV_* addresses). -DIMAGE_APP links the test application for the active
 * slot, otherwise the verifier. A map that defines FWV_FLASH_BASE boots from the flash alias at
 * 0, so the verifier must start there. */

MEMORY
{
#ifdef IMAGE_APP
    FLASH (rx)  : ORIGIN = FWV_ACTIVE_ADDR, LENGTH = FWV_SLOT_SIZE - FWV_SECTOR_SIZE
    RAM   (rwx) : ORIGIN = FWV_APP_RAM_ADDR, LENGTH = FWV_APP_RAM_SIZE
#else
    FLASH (rx)  : ORIGIN = FWV_VERIFIER_ADDR, LENGTH = FWV_VERIFIER_SIZE
    RAM   (rwx) : ORIGIN = FWV_RAM_ADDR, LENGTH = FWV_RAM_SIZE
#endif
}

ENTRY(reset_handler)

SECTIONS
{
    .text :
    {
        KEEP(*(.vectors))
        *(.text*)
        *(.rodata*)
        . = ALIGN(4);
    } > FLASH

    .ARM.exidx : { *(.ARM.exidx*) } > FLASH

    .data :
    {
        . = ALIGN(4);
        _sdata = .;
        *(.data*)
        . = ALIGN(4);
        _edata = .;
    } > RAM AT > FLASH
    _sidata = LOADADDR(.data);

    .bss (NOLOAD) :
    {
        . = ALIGN(4);
        _sbss = .;
        *(.bss*)
        *(COMMON)
        . = ALIGN(4);
        _ebss = .;
    } > RAM

    _estack = ORIGIN(RAM) + LENGTH(RAM);
    /* what is left between .bss and the top of RAM is the stack; the measured peak is 4188 B
     * (mark bootable after an ECDSA verify, STM32F4.md "Figures"), so 5 KiB is the floor */
    ASSERT(_estack - _ebss >= 0x1400, "less than 5 KiB left for the stack")
#if defined(FWV_FLASH_BASE) && !defined(IMAGE_APP)
    /* the vector table must sit where VTOR = 0 (the flash alias) finds it after reset */
    ASSERT(ORIGIN(FLASH) == FWV_FLASH_BASE, "the verifier must start at the base of flash")
#endif
}
