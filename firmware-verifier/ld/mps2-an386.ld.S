/* The linker script for the mps2-an386 images: ld/memmap.h holds the map, ld/cortex-m.ld.h the
 * sections. Run through the C preprocessor: -DIMAGE_APP links the test application for the
 * active slot, otherwise the verifier at the reset vector. */
#include "memmap.h"
#include "cortex-m.ld.h"
