/* The linker script for the STM32F4 images: ld/memmap-stm32f4.h holds the map, ld/cortex-m.ld.h
 * the sections. Run through the C preprocessor: -DIMAGE_APP links the test application for the
 * active slot (SRAM or flash, as FWV_SLOTS_IN_FLASH says), otherwise the verifier at the start of
 * flash, which the core aliases at 0 and boots from. */
#include "memmap-stm32f4.h"
#include "cortex-m.ld.h"
