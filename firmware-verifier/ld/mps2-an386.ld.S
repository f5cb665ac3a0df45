/* The one linker script for the mps2-an386 images; ld/memmap.h holds the map. Run through the
 * C preprocessor: -DIMAGE_APP links the test application for the active slot, otherwise the
 * verifier at the reset vector. */
#include "memmap.h"

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
    /* what is left between .bss and the top of RAM is the stack */
    ASSERT(_estack - _ebss >= 0x1000, "less than 4 KiB left for the stack")
}
